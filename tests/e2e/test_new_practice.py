"""Issue 19 from an empty database, through the real stack (rasa, actions, the api): the
README's steps set up a veterinary practice from its file in `examples/`, invite its first
admin from the command line, the admin invites a nurse who sets a password and signs in, the
sample CSV export is imported, and one of its clients books by text. The same for a surgical
practice whose records come from the sample FHIR R4 Bundle (the specification's examples)."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.e2e.conftest import Stack, running_stack
from tests.support import processes
from tests.support.processes import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
EXAMPLES = ROOT / "examples"
VET_SMS = "+13125550101"
HUMAN_SMS = "+16175550101"
PASSWORD = "copper kettle winter orchard"


@pytest.fixture(scope="module")
def empty_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own on a database with no practice in it."""
    yield from running_stack(tmp_path_factory.mktemp("empty"), LOAD_DEMO_DATA="false")


def command(stack: Stack, *args: str) -> str:
    done = subprocess.run(
        [str(processes.APP_PYTHON), "-m", "assistant", *args],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def set_password(stack: Stack, link: str) -> None:
    path = link[link.index("/account/setup/") :]
    answer = httpx.post(stack.api + path, data={"new": PASSWORD, "confirm": PASSWORD}, timeout=30)
    assert answer.status_code == 200 and "password is set" in answer.text, answer.text


@contextmanager
def sign_in(stack: Stack, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        answer = client.post("/login", data={"email": email, "password": PASSWORD})
        assert answer.status_code in (302, 303), answer.text
        yield client


def test_the_database_starts_empty(empty_stack: Stack) -> None:
    assert httpx.get(f"{empty_stack.api}/api/v1/practices", timeout=30).json() == []


def test_a_veterinary_practice_from_its_file_to_a_booking_by_text(empty_stack: Stack) -> None:
    stack = empty_stack
    applied = command(stack, "practice", "apply", str(EXAMPLES / "cedar-vet-oncology.yml"))
    assert "practice cedar-vet-oncology: created" in applied

    admin_link = command(
        stack, "staff", "invite", "pat.sullivan@cedar-vet.example.org", "--role", "admin",
        "--name", "Pat Sullivan", "--practice", "cedar-vet-oncology",
    ).strip().splitlines()[-1]  # fmt: skip
    set_password(stack, admin_link)
    with sign_in(stack, "pat.sullivan@cedar-vet.example.org") as admin:
        invited = admin.post(
            "/api/v1/admin/staff",
            json={"email": "robin.vale@cedar-vet.example.org", "name": "Robin Vale",
                  "role": "nurse", "phone": "(312) 555-0115"},
        )  # fmt: skip
        assert invited.status_code == 201, invited.text
    set_password(stack, invited.json()["link"])
    with sign_in(stack, "robin.vale@cedar-vet.example.org") as nurse:
        assert nurse.get("/nurse").status_code == 200
        assert nurse.get("/api/v1/nurse/queue").status_code == 200

    sample = EXAMPLES / "records" / "cedar-vet"
    imported = command(
        stack, "import", "csv", "--practice", "cedar-vet-oncology",
        "--mapping", str(sample / "mapping.yml"), str(sample),
    )  # fmt: skip
    assert "clients      created 20" in imported, imported

    olivia = "+12245550140"  # Maple's owner, from the sample export
    asked = stack.text("i need to book a recheck for maple", sender=olivia, to=VET_SMS)
    offered = stack.text("Maple Brennan", sender=olivia, to=VET_SMS)
    booked = stack.text("1", sender=olivia, to=VET_SMS)
    assert [t for t, _ in asked] == ["vet.booking.ask_identity"]
    assert [t for t, _ in offered] == ["both.booking.offer_times"]
    assert [t for t, _ in booked] == ["both.booking.booked"]
    assert "Recheck exam for Maple on" in booked[0][1]


def test_a_surgical_practice_from_its_file_and_a_fhir_bundle_to_a_booking_by_text(
    empty_stack: Stack,
) -> None:
    stack = empty_stack
    command(stack, "practice", "apply", str(EXAMPLES / "harbor-surgical-oncology.yml"))
    link = command(
        stack, "staff", "invite", "dana.whitaker@harbor-surgical.example.org", "--role",
        "admin", "--name", "Dana Whitaker", "--practice", "harbor-surgical-oncology",
    ).strip().splitlines()[-1]  # fmt: skip
    set_password(stack, link)
    with sign_in(stack, "dana.whitaker@harbor-surgical.example.org") as admin:
        assert admin.get("/admin/staff").status_code == 200

    sample = EXAMPLES / "records" / "harbor-surgical"
    imported = command(
        stack, "import", "fhir", "--practice", "harbor-surgical-oncology",
        "--mapping", str(sample / "mapping.yml"), str(sample / "bundle.json"),
    )  # fmt: skip
    assert "patients     created 2" in imported, imported

    peter = "+16175550141"  # Peter Chalmers, the specification's example Patient
    asked = stack.text("i need to book a wound check", sender=peter, to=HUMAN_SMS)
    offered = stack.text("12/25/1974", sender=peter, to=HUMAN_SMS)
    booked = stack.text("1", sender=peter, to=HUMAN_SMS)
    assert [t for t, _ in asked] == ["human.booking.ask_identity"]
    assert [t for t, _ in offered] == ["both.booking.offer_times"]
    assert [t for t, _ in booked] == ["both.booking.booked"]
    assert "Wound check for Peter James Chalmers on" in booked[0][1]


def test_applying_and_importing_again_changes_nothing(empty_stack: Stack) -> None:
    stack = empty_stack
    again = command(stack, "practice", "apply", str(EXAMPLES / "cedar-vet-oncology.yml"))
    sample = EXAMPLES / "records" / "cedar-vet"
    reimported = command(
        stack, "import", "csv", "--practice", "cedar-vet-oncology",
        "--mapping", str(sample / "mapping.yml"), str(sample),
    )  # fmt: skip
    assert "already matches" in again
    kinds = [line for line in reimported.splitlines() if line.split()[:1] in (
        ["clients"], ["patients"], ["links"], ["appointments"], ["labs"])]  # fmt: skip
    assert len(kinds) == 5, reimported
    assert all("created 0  updated 0" in line for line in kinds), reimported

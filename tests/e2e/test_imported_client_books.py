"""Issue 19's end to end: a client the practice imported from its own system's CSV export
books a visit by text through the real stack (signed SMS, Rasa, actions, api, outbox)."""

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.support import processes
from tests.support.processes import ROOT

pytestmark = pytest.mark.e2e
VET = "+13125550101"  # Cedar Veterinary Oncology's SMS number
MAPPING = ROOT / "examples" / "records" / "cedar-vet" / "mapping.yml"
OLIVE = "+12245550199"


def _export(directory: Path) -> Path:
    """A practice system's export of one new client and her dog, as the sample is shaped."""
    directory.mkdir()
    (directory / "clients.csv").write_text(
        "Client ID,First Name,Last Name,Mobile Phone,Email,SMS Opt In\n"
        "C-5001,Olive,Marsh,(224) 555-0199,olive.marsh@example.org,Y\n"
    )
    (directory / "patients.csv").write_text(
        "Patient ID,Patient Name,Species,Breed,Sex,Birth Date,Diagnosis\n"
        "P-5001,Tofu,dog,Shiba Inu,MN,03/08/2018,cutaneous lymphoma\n"
    )
    (directory / "links.csv").write_text("Client ID,Patient ID,Relationship\nC-5001,P-5001,Owner\n")
    return directory


def test_an_imported_client_books_a_recheck_by_text(stack: Stack, tmp_path: Path) -> None:
    imported = subprocess.run(
        [str(processes.APP_PYTHON), "-m", "assistant", "import", "csv",
         "--practice", "cedar-vet-oncology", "--mapping", str(MAPPING),
         str(_export(tmp_path / "export"))],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stdout + imported.stderr

    asked = stack.text("i need to book a recheck for tofu", sender=OLIVE, to=VET)
    offered = stack.text("Tofu Marsh", sender=OLIVE, to=VET)
    booked = stack.text("1", sender=OLIVE, to=VET)

    assert [t for t, _ in asked] == ["vet.booking.ask_identity"]
    assert [t for t, _ in offered] == ["both.booking.offer_times"]
    assert [t for t, _ in booked] == ["both.booking.booked"]
    assert "Recheck exam for Tofu on" in booked[0][1]


HUMAN = "+16175550101"  # Harbor Surgical Oncology's SMS number
HARBOR = ROOT / "examples" / "records" / "harbor-surgical"
PETER = "+16175550141"  # Peter Chalmers, the FHIR specification's example Patient


def test_a_patient_imported_from_a_fhir_bundle_books_a_wound_check_by_text(stack: Stack) -> None:
    imported = subprocess.run(
        [str(processes.APP_PYTHON), "-m", "assistant", "import", "fhir",
         "--practice", "harbor-surgical-oncology", "--mapping", str(HARBOR / "mapping.yml"),
         str(HARBOR / "bundle.json")],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "patients" in imported.stdout

    asked = stack.text("i need to book a wound check", sender=PETER, to=HUMAN)
    offered = stack.text("12/25/1974", sender=PETER, to=HUMAN)
    booked = stack.text("1", sender=PETER, to=HUMAN)

    assert [t for t, _ in asked] == ["human.booking.ask_identity"]
    assert [t for t, _ in offered] == ["both.booking.offer_times"]
    assert [t for t, _ in booked] == ["both.booking.booked"]
    assert "Wound check for Peter Chalmers on" in booked[0][1]

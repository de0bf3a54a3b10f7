"""Staff accounts (issue 19): an admin invites a person, who sets a password through a
one-time link and signs in; reset links void older ones; a disabled account's sessions end at
once; nobody but an admin of the same practice manages accounts; every change is audited."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from assistant.cli import main as cli
from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, StaffLink, StaffUser
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

ADMIN = "pat.sullivan@cedar-vet.example.org"
NURSE = "jordan.reyes@cedar-vet.example.org"
OTHER_ADMIN_PRACTICE = "harbor-surgical-oncology"
API = "/api/v1/admin/staff"
NEW = {"email": "sam.ortiz@cedar-vet.example.org", "name": "Sam Ortiz", "role": "nurse"}
PASSWORD = "copper kettle winter orchard"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage, public_base_url="http://testserver")


def path_of(link: str) -> str:
    assert link.startswith("http://testserver/account/setup/")
    return link.removeprefix("http://testserver")


def set_password(app: FastAPI, link: str, password: str = PASSWORD) -> int:
    return (
        TestClient(app).post(path_of(link), data={"new": password, "confirm": password}).status_code
    )


def sign_in(app: FastAPI, email: str, password: str) -> TestClient:
    browser = TestClient(app)
    browser.post("/login", data={"email": email, "password": password}, follow_redirects=False)
    return browser


def test_an_invited_nurse_sets_a_password_once_and_works_the_queue(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)

    invited = admin.post(API, json={**NEW, "phone": "(312) 555-0177"})

    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["staff"]["password_set"] is False and body["purpose"] == "invite"
    page = TestClient(app).get(path_of(body["link"]))
    assert page.status_code == 200 and "Sam Ortiz" in page.text
    assert sign_in(app, NEW["email"], "").get("/api/v1/nurse/queue").status_code == 401
    assert set_password(app, body["link"]) == 200
    assert sign_in(app, NEW["email"], PASSWORD).get("/api/v1/nurse/queue").status_code == 200
    # The link worked once.
    assert set_password(app, body["link"], "another long passphrase") == 410
    listed = {p["email"]: p for p in admin.get(API).json()}
    assert listed[NEW["email"]]["password_set"] is True


def test_a_weak_password_is_refused_and_the_link_still_works(app: FastAPI) -> None:
    link = signed_in(app, ADMIN).post(API, json=NEW).json()["link"]

    refused = TestClient(app).post(path_of(link), data={"new": "short", "confirm": "short"})

    assert refused.status_code == 422 and "at least 12 characters" in refused.text
    assert set_password(app, link) == 200


def test_an_expired_link_is_refused(app: FastAPI, sqlite_engine: Engine) -> None:
    link = signed_in(app, ADMIN).post(API, json=NEW).json()["link"]
    with make_session_factory(sqlite_engine)() as session:
        session.execute(update(StaffLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
        session.commit()

    page = TestClient(app).get(path_of(link))

    assert page.status_code == 410 and "Ask an admin" in page.text
    assert set_password(app, link) == 410


def test_a_reset_link_voids_the_older_one_and_ends_every_session(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)
    nurse = signed_in(app, NURSE)
    nurse_id = next(p["id"] for p in admin.get(API).json() if p["email"] == NURSE)
    first = admin.post(f"{API}/{nurse_id}/reset").json()["link"]
    second = admin.post(f"{API}/{nurse_id}/reset").json()["link"]

    assert set_password(app, first) == 410
    assert set_password(app, second) == 200
    assert nurse.get("/api/v1/nurse/queue").status_code == 401
    assert sign_in(app, NURSE, PASSWORD).get("/api/v1/nurse/queue").status_code == 200


def test_a_disabled_account_is_out_at_once_and_back_when_enabled(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)
    nurse = signed_in(app, NURSE)
    nurse_id = next(p["id"] for p in admin.get(API).json() if p["email"] == NURSE)
    pending = admin.post(f"{API}/{nurse_id}/reset").json()["link"]

    disabled = admin.post(f"{API}/{nurse_id}/disable")

    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert nurse.get("/api/v1/nurse/queue").status_code == 401
    assert set_password(app, pending) == 410
    assert admin.post(f"{API}/{nurse_id}/reset").status_code == 409
    assert admin.post(f"{API}/{nurse_id}/enable").json()["active"] is True
    assert signed_in(app, NURSE).get("/api/v1/nurse/queue").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({**NEW, "role": "owner"}, 422, "role must be one of"),
        ({**NEW, "email": "not an address"}, 422, "not an e-mail address"),
        ({**NEW, "email": NURSE}, 409, "send it a reset link"),
        ({**NEW, "phone": "12"}, 422, "not a valid phone number"),
        ({**NEW, "name": "  "}, 422, "the person's name"),
    ],
)
def test_bad_invitations_say_why(
    app: FastAPI, body: dict[str, str], status: int, reason: str
) -> None:
    response = signed_in(app, ADMIN).post(API, json=body)

    assert response.status_code == status and reason in response.json()["detail"]


def test_only_an_admin_of_the_same_practice_manages_accounts(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    admin = signed_in(app, ADMIN)
    with make_session_factory(sqlite_engine)() as session:
        surgical_staff = session.scalars(
            select(StaffUser.id).where(StaffUser.email.like("%harbor-surgical%"))
        ).first()
        admin_id = session.scalars(select(StaffUser.id).where(StaffUser.email == ADMIN)).one()

    assert signed_in(app, NURSE).post(API, json=NEW).status_code == 403
    assert signed_in(app, NURSE).get(API).status_code == 403
    assert admin.post(f"{API}/{surgical_staff}/reset").status_code == 404
    assert admin.post(f"{API}/{admin_id}/disable").status_code == 409  # not oneself


def test_every_account_change_is_audited(app: FastAPI, sqlite_engine: Engine) -> None:
    admin = signed_in(app, ADMIN)
    invited = admin.post(API, json=NEW).json()
    set_password(app, invited["link"])
    admin.post(f"{API}/{invited['staff']['id']}/disable")

    with make_session_factory(sqlite_engine)() as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == str(invited["staff"]["id"]))
        ).all()
    assert [r.action for r in rows if r.action != "staff.signed_in"] == [
        "staff.invited",
        "staff.password_set",
        "staff.disabled",
    ]
    assert all(PASSWORD not in str(r.details) for r in rows)


def test_the_first_admin_of_a_practice_is_invited_from_the_command_line(
    app: FastAPI, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from assistant.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://testserver")
    get_settings.cache_clear()
    email = "first.admin@harbor-surgical.example.org"
    try:
        assert cli(["staff", "invite", email, "--role", "admin", "--name", "Ana Ruiz",
                    "--practice", OTHER_ADMIN_PRACTICE]) == 0  # fmt: skip
        first_link = capsys.readouterr().out.strip().splitlines()[-1]
        # Asked again before a password is set: a new invitation, and the first one is void.
        assert cli(["staff", "invite", email, "--role", "admin", "--name", "Ana Ruiz",
                    "--practice", OTHER_ADMIN_PRACTICE]) == 0  # fmt: skip
        link = capsys.readouterr().out.strip().splitlines()[-1]
        assert link != first_link
        assert set_password(app, first_link) != 200
        assert set_password(app, link) == 200
        # Once the person has a password, an invitation is refused: a reset link is the way.
        assert cli(["staff", "invite", email, "--role", "admin", "--name", "Ana Ruiz",
                    "--practice", OTHER_ADMIN_PRACTICE]) == 2  # fmt: skip
        assert "exists" in capsys.readouterr().out
        assert cli(["staff", "list", "--practice", OTHER_ADMIN_PRACTICE]) == 0
        assert f"{email}\tadmin\tAna Ruiz\tactive, password set" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()

    admin = sign_in(app, email, PASSWORD)
    assert admin.get(API).status_code == 200

"""A staff member changes their own password (issue 18): the old one stops working, every
other session ends, this one stays, a weak one is refused with the reason, a wrong current
password counts as a failed sign-in, and the change is audited without the password."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.safety.triage import Triage
from assistant.staff.passwords import policy_problems
from tests.api.conftest import demo_app
from tests.conftest import with_demo_data

VET_NURSE = "jordan.reyes@cedar-vet.example.org"
QUEUE = "/api/v1/nurse/queue"
NEW = "harbor lantern quiet meadow"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage)


def sign_in(app: FastAPI, password: str = DEMO_STAFF_PASSWORD) -> TestClient:
    client = TestClient(app)
    client.post("/login", data={"email": VET_NURSE, "password": password}, follow_redirects=False)
    return client


def change(client: TestClient, current: str, new: str, confirm: str | None = None) -> str:
    response = client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )
    return f"{response.status_code} {response.text}"


def test_a_new_password_ends_other_sessions_and_keeps_this_one(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    here, elsewhere = sign_in(app), sign_in(app)
    assert elsewhere.get(QUEUE).status_code == 200

    answer = change(here, DEMO_STAFF_PASSWORD, NEW)

    assert answer.startswith("200") and "Your password is changed" in answer
    assert here.get(QUEUE).status_code == 200
    assert elsewhere.get(QUEUE).status_code == 401
    assert sign_in(app, DEMO_STAFF_PASSWORD).get(QUEUE).status_code == 401
    assert sign_in(app, NEW).get(QUEUE).status_code == 200
    with make_session_factory(sqlite_engine)() as session:
        row = session.scalars(
            select(AuditLog).where(AuditLog.action == "staff.password_changed")
        ).one()
    assert NEW not in str(row.details) and DEMO_STAFF_PASSWORD not in str(row.details)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "reason"),
    [
        ("not-my-password", NEW, NEW, "current password is not right"),
        (DEMO_STAFF_PASSWORD, NEW, NEW + "x", "not the same"),
        (DEMO_STAFF_PASSWORD, "short one", "short one", "at least 12 characters"),
        (DEMO_STAFF_PASSWORD, "jordan-is-on-nights", "jordan-is-on-nights", "name or e-mail"),
        (DEMO_STAFF_PASSWORD, "aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "different characters"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    app: FastAPI, current: str, new: str, confirm: str, reason: str
) -> None:
    nurse = sign_in(app)

    answer = change(nurse, current, new, confirm)

    assert answer.startswith("422") and reason in answer
    assert nurse.get(QUEUE).status_code == 200
    assert sign_in(app, DEMO_STAFF_PASSWORD).get(QUEUE).status_code == 200


def test_guessing_the_current_password_locks_like_failed_sign_ins(app: FastAPI) -> None:
    nurse = sign_in(app)

    answers = [change(nurse, f"guess number {n}", NEW)[:3] for n in range(6)]

    assert answers[:5] == ["422"] * 5 and answers[5] == "429"
    # Audited as failed sign-ins are (the guesses themselves are not kept).
    with app.state.assistant.sessions() as session:
        failed = session.scalars(
            select(AuditLog).where(AuditLog.action == "staff.password_change_failed")
        ).all()
    assert len(failed) == 5 and not any("guess" in str(row.details) for row in failed)
    # Locked for the right password too, as a sign-in is.
    assert change(nurse, DEMO_STAFF_PASSWORD, NEW).startswith("429")


def test_signed_out_the_page_sends_to_sign_in(app: FastAPI) -> None:
    response = TestClient(app).get("/account/password", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_a_long_passphrase_is_fine_and_an_enormous_one_is_not() -> None:
    assert policy_problems("correct horse battery staple", email="a@b.org", name="Pat Lee") == []
    assert policy_problems("x1" * 100, email="a@b.org", name="Pat Lee") != []

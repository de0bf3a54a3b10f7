"""Optional two-step sign-in for staff (issue 18): a code from an authenticator app after the
password, each code good once, turned on only with a code that proves the app has the key and
off only with the password and a code; every step audited, wrong codes lock like wrong
passwords."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, StaffUser
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.conftest import with_demo_data

NURSE = "jordan.reyes@cedar-vet.example.org"
QUEUE = "/api/v1/nurse/queue"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage)


def password_step(app: FastAPI) -> tuple[TestClient, str]:
    browser = TestClient(app)
    response = browser.post(
        "/login", data={"email": NURSE, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
    )
    return browser, response.headers["location"]


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30 * steps_ahead))


def turned_on(app: FastAPI) -> tuple[TestClient, str]:
    """The nurse, signed in, turns two-step sign-in on; returns that browser and the key."""
    browser, _ = password_step(app)
    page = browser.get("/account/two-factor").text
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'id="secret">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    answer = browser.post("/account/two-factor", data={"code": code(secret)})
    assert answer.status_code == 200 and "Two-step sign-in is on" in answer.text
    return browser, secret


def test_with_it_on_the_password_alone_signs_nobody_in(app: FastAPI) -> None:
    elsewhere, _ = password_step(app)
    here, secret = turned_on(app)
    assert elsewhere.get(QUEUE).status_code == 401  # turning it on ends other sessions
    assert here.get(QUEUE).status_code == 200

    browser, next_page = password_step(app)

    assert next_page == "/login/code"
    assert browser.get(QUEUE).status_code == 401
    wrong = browser.post("/login/code", data={"code": "000000"}, follow_redirects=False)
    assert wrong.status_code == 401 and browser.get(QUEUE).status_code == 401
    right = browser.post("/login/code", data={"code": code(secret, 1)}, follow_redirects=False)
    assert (right.status_code, right.headers["location"]) == (303, "/nurse")
    assert browser.get(QUEUE).status_code == 200


def test_a_code_works_once(app: FastAPI) -> None:
    _, secret = turned_on(app)
    first, _ = password_step(app)
    second, _ = password_step(app)
    used = code(secret, 1)

    first.post("/login/code", data={"code": used})
    replayed = second.post("/login/code", data={"code": used}, follow_redirects=False)

    assert first.get(QUEUE).status_code == 200
    assert replayed.status_code == 401 and second.get(QUEUE).status_code == 401


def test_the_code_step_needs_the_password_step_in_the_same_browser(app: FastAPI) -> None:
    _, secret = turned_on(app)
    stranger = TestClient(app)

    response = stranger.post("/login/code", data={"code": code(secret, 1)}, follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert stranger.get(QUEUE).status_code == 401


def test_turning_it_on_needs_a_right_code(app: FastAPI, sqlite_engine: Engine) -> None:
    browser, _ = password_step(app)
    browser.get("/account/two-factor")

    answer = browser.post("/account/two-factor", data={"code": "123456"})

    assert answer.status_code == 422 and "not right" in answer.text
    with make_session_factory(sqlite_engine)() as session:
        nurse = session.scalars(select(StaffUser).where(StaffUser.email == NURSE)).one()
    assert nurse.totp_secret is None


def test_turning_it_off_needs_the_password_and_a_code(app: FastAPI, sqlite_engine: Engine) -> None:
    browser, secret = turned_on(app)

    no_password = browser.post(
        "/account/two-factor/off", data={"password": "wrong", "code": code(secret, 1)}
    )
    off = browser.post(
        "/account/two-factor/off", data={"password": DEMO_STAFF_PASSWORD, "code": code(secret, 1)}
    )

    assert no_password.status_code == 422
    assert off.status_code == 200 and "Two-step sign-in is off" in off.text
    assert password_step(app)[1] == "/nurse"  # the password alone again
    with make_session_factory(sqlite_engine)() as session:
        actions = list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions.count("staff.two_factor_off_failed") == 1
    assert actions.index("staff.two_factor_off_failed") < actions.index("staff.two_factor_off")


def test_wrong_codes_lock_the_account_and_every_step_is_audited(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    _, secret = turned_on(app)
    browser, _ = password_step(app)

    answers = [browser.post("/login/code", data={"code": "000000"}).status_code for _ in range(6)]

    assert answers == [401] * 5 + [429]
    locked = browser.post("/login/code", data={"code": code(secret, 1)}, follow_redirects=False)
    assert locked.status_code == 429
    with make_session_factory(sqlite_engine)() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action.like("staff.%"))).all()
    steps = [(r.action, r.details.get("step")) for r in rows]
    assert ("staff.two_factor_on", None) in steps
    assert steps.count(("staff.sign_in_failed", "code")) == 5
    assert all(secret not in str(r.details) for r in rows)

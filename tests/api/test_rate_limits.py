"""Request limits (issue 18): chat per conversation and per address, SMS per sending number,
failed sign-ins per account and per address; a 429 with words a person understands."""

import httpx
import pytest
import redis
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from api.rate_limits import RateLimits
from assistant.channels.web_chat import chat_message
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import demo_app
from tests.conftest import REDIS_URL, _skip_or_fail, with_demo_data

VET = "cedar-vet-oncology"
VET_NUMBER = "+13125550101"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"
PUBLIC = "https://assistant.example.org"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(
        with_demo_data(sqlite_engine),
        triage,
        public_base_url=PUBLIC,
        chat_rate_per_sender="3/minute",
        chat_rate_per_address="5/minute",
        sms_rate_per_number="2/minute",
        sign_in_failures_per_email="3/15 minutes",
        sign_in_failures_per_address="5/15 minutes",
    )


def chat(client: TestClient, chat_token: str | None = None) -> httpx.Response:
    return client.post(f"/api/v1/chat/{VET}/messages", json=chat_message("hi", chat_token))


def test_one_conversation_is_limited_and_told_to_wait_while_others_go_on(app: FastAPI) -> None:
    with TestClient(app) as client:
        first = chat(client)
        token = first.json()["chat_token"]
        statuses = [first.status_code] + [chat(client, token).status_code for _ in range(3)]
        refused = chat(client, token)
        other = chat(client)

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and "wait a minute" in refused.json()["detail"]
    assert refused.headers["Retry-After"] == "60"
    # The address's limit (5) counts every chat: the first 5 requests used it up.
    assert other.status_code == 429


def test_a_new_chat_per_message_does_not_escape_the_address_limit(app: FastAPI) -> None:
    with TestClient(app) as client:
        statuses = [chat(client).status_code for _ in range(7)]

    assert statuses == [200] * 5 + [429] * 2


def test_an_address_that_opened_its_share_of_cases_from_new_chats_starts_no_more(
    sqlite_engine: Engine, triage: Triage
) -> None:
    """Issue 18: one address could start a new chat per message and page the on-call clinician
    with each. Cases opened from new chats are limited per address; open chats go on, and a
    chat that opens no case does not count."""
    app = demo_app(with_demo_data(sqlite_engine), triage, web_cases_per_address="2/hour")
    emergency = "my dog collapsed and his gums are white"
    with TestClient(app) as client:
        greeting = client.post(f"/api/v1/chat/{VET}/messages", json=chat_message("hi"))
        opened = [
            client.post(f"/api/v1/chat/{VET}/messages", json=chat_message(emergency)).json()
            for _ in range(2)
        ]
        refused = client.post(f"/api/v1/chat/{VET}/messages", json=chat_message(emergency))
        ongoing = client.post(
            f"/api/v1/chat/{VET}/messages",
            json=chat_message("still not breathing right", opened[0]["chat_token"]),
        )

    assert greeting.status_code == 200 and greeting.json()["escalation"] is None
    assert all(turn["route"] == "emergency" and turn["escalation"] for turn in opened)
    assert refused.status_code == 429 and "call" in refused.json()["detail"]
    assert ongoing.status_code == 200


def test_sms_from_one_number_is_limited(app: FastAPI) -> None:
    def sms(sid: str, sender: str) -> httpx.Response:
        form = {"MessageSid": sid, "From": sender, "To": VET_NUMBER, "Body": "hi", "NumMedia": "0"}
        signature = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(
            f"{PUBLIC}/twilio/sms", form
        )
        return client.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})

    with TestClient(app) as client:
        statuses = [sms(f"SM{n}", "+13125550120").status_code for n in range(3)]
        another_number = sms("SM9", "+13125550121").status_code

    assert statuses == [200, 200, 429]
    assert another_number == 200


def test_failed_sign_ins_lock_the_account_for_a_while_and_a_right_password_is_never_counted(
    app: FastAPI,
) -> None:
    def sign_in(email: str, password: str) -> httpx.Response:
        return client.post(
            "/login", data={"email": email, "password": password}, follow_redirects=False
        )

    with TestClient(app) as client:
        for _ in range(4):  # successes do not count towards the lockout
            assert sign_in(VET_ADMIN, DEMO_STAFF_PASSWORD).status_code == 303
        failures = [sign_in(VET_NURSE, "wrong").status_code for _ in range(3)]
        locked = sign_in(VET_NURSE, DEMO_STAFF_PASSWORD)
        # Same address: 3 failures so far; 2 more allowed before the address is locked too.
        other_account = [sign_in(VET_ADMIN, "wrong").status_code for _ in range(3)]

    assert failures == [401, 401, 401]
    assert locked.status_code == 429 and "Wait 15 minutes" in locked.text
    assert other_account == [401, 401, 429]


def test_with_redis_every_worker_counts_together(sqlite_engine: Engine) -> None:
    try:
        store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        store.ping()
    except redis.RedisError as exc:
        _skip_or_fail(f"Redis not reachable at {REDIS_URL}: {exc}")
    store.flushdb()
    settings = Settings(rate_limit_url=REDIS_URL, chat_rate_per_sender="3/minute")
    workers = [RateLimits(settings), RateLimits(settings)]

    allowed = []
    for n in range(4):
        worker = workers[n % 2]
        try:
            worker.hit(worker.chat_sender, "cedar:web-a")
            allowed.append(True)
        except HTTPException as refused:
            assert refused.status_code == 429
            allowed.append(False)
    store.flushdb()

    assert allowed == [True, True, True, False]


def test_sign_ins_failures_and_sign_outs_are_audited_without_the_password(app: FastAPI) -> None:
    from sqlalchemy import select

    from assistant.db.models import AuditLog

    # The session cookie is https-only with an https PUBLIC_BASE_URL.
    with TestClient(app, base_url="https://testserver") as client:
        client.post("/login", data={"email": VET_NURSE, "password": "guess-1"})
        client.post("/login", data={"email": "nobody@example.org", "password": "guess-2"})
        client.post("/login", data={"email": VET_ADMIN, "password": DEMO_STAFF_PASSWORD})
        client.post("/logout")
    with app.state.assistant.sessions() as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action.like("staff.%")).order_by(AuditLog.id)
        ).all()

    assert [r.action for r in rows] == [
        "staff.sign_in_failed",
        "staff.sign_in_failed",
        "staff.signed_in",
        "staff.signed_out",
    ]
    assert rows[0].details["email"] == VET_NURSE and rows[0].details["address"]
    assert rows[1].practice_id is None
    assert not any("guess" in str(r.details) for r in rows)

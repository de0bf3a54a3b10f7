"""`POST /twilio/status`: signed delivery reports update the outbox row with that SID."""

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from twilio.request_validator import RequestValidator

from api.main import create_app
from assistant.db.engine import make_session_factory
from assistant.db.models import Contact, OutboxMessage
from assistant.dialogue.rasa_client import RasaClient
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import ScriptedRasa
from tests.conftest import add_practice

PUBLIC_BASE_URL = "https://assistant.example.org"
STATUS_URL = f"{PUBLIC_BASE_URL}/twilio/status"
AUTH_TOKEN = "test-twilio-auth-token"
SID = "SM" + "1" * 32
OWNER = "+13125550177"
SENT_AT = datetime(2026, 11, 30, 18, tzinfo=UTC)

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


@pytest.fixture
def make_client(
    sqlite_engine: Engine, scripted_rasa: ScriptedRasa, triage: Triage
) -> ClientFactory:
    """An api whose outbox holds one message Twilio has queued (SID `SID`)."""
    with make_session_factory(sqlite_engine)() as session:
        practice = add_practice(session, kind="veterinary")
        session.add(
            OutboxMessage(
                practice_id=practice.id,
                to_number=OWNER,
                body="Max's visit is at 9:00.",
                status="queued",
                provider_sid=SID,
                attempts=1,
                sent_at=SENT_AT,
            )
        )
        session.commit()

    @contextmanager
    def start(**settings: Any) -> Iterator[TestClient]:
        app = create_app(
            Settings(
                database_url=str(sqlite_engine.url),
                public_base_url=PUBLIC_BASE_URL,
                sla_check_seconds=0,
                outbox_poll_seconds=0,
                **settings,
            ),
            rasa=RasaClient(
                "http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted_rasa)
            ),
            triage=triage,
        )
        with TestClient(app) as client:
            yield client

    return start


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    with make_client(twilio_account_sid="AC" + "0" * 32, twilio_auth_token=AUTH_TOKEN) as client:
        yield client


def callback(**fields: str) -> dict[str, str]:
    """The form Twilio posts about one of our messages."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "From": "+13125550101",
        "To": OWNER,
        "MessageSid": SID,
        "SmsSid": SID,
        "ApiVersion": "2010-04-01",
        **fields,
    }


def post_signed(
    client: TestClient,
    form: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    url: str = STATUS_URL,
) -> httpx.Response:
    signature = RequestValidator(token).compute_signature(url, form)
    return client.post("/twilio/status", data=form, headers={"X-Twilio-Signature": signature})


def outbox_row(engine: Engine) -> OutboxMessage:
    with make_session_factory(engine)() as session:
        return session.scalars(select(OutboxMessage)).one()


def test_delivered_report_marks_the_message_delivered(
    client: TestClient, sqlite_engine: Engine
) -> None:
    before = datetime.now(UTC)

    response = post_signed(client, callback(MessageStatus="delivered"))

    assert response.status_code == 204
    assert response.content == b""
    row = outbox_row(sqlite_engine)
    assert row.status == "delivered"
    assert row.delivered_at is not None
    assert before <= row.delivered_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_undelivered_report_keeps_twilios_error_code(
    client: TestClient, sqlite_engine: Engine
) -> None:
    post_signed(client, callback(MessageStatus="sent"))
    response = post_signed(client, callback(MessageStatus="undelivered", ErrorCode="30003"))

    assert response.status_code == 204
    row = outbox_row(sqlite_engine)
    assert (row.status, row.error_code, row.delivered_at) == ("undelivered", "30003", None)


def test_a_late_report_does_not_undo_a_later_one(client: TestClient, sqlite_engine: Engine) -> None:
    post_signed(client, callback(MessageStatus="delivered"))
    post_signed(client, callback(MessageStatus="sent"))  # Twilio sent these out of order

    assert outbox_row(sqlite_engine).status == "delivered"


def test_failed_because_unsubscribed_opts_the_number_out(
    client: TestClient, sqlite_engine: Engine
) -> None:
    post_signed(client, callback(MessageStatus="failed", ErrorCode="21610"))

    with make_session_factory(sqlite_engine)() as session:
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
    assert contact.consent == "opted_out"
    assert outbox_row(sqlite_engine).status == "failed"


def test_a_report_on_an_unknown_message_is_acknowledged_and_logged(
    client: TestClient, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = "SM" + "9" * 32
    with caplog.at_level(logging.WARNING, logger="api.routes.twilio_status"):
        response = post_signed(
            client, callback(MessageSid=unknown, SmsSid=unknown, MessageStatus="delivered")
        )

    assert response.status_code == 204  # an error would make Twilio retry it again and again
    assert unknown in caplog.text
    assert outbox_row(sqlite_engine).status == "queued"


def _forged(client: TestClient) -> httpx.Response:
    return post_signed(client, callback(MessageStatus="delivered"), token="not-our-token")


def _missing(client: TestClient) -> httpx.Response:
    return client.post("/twilio/status", data=callback(MessageStatus="delivered"))


def _altered(client: TestClient) -> httpx.Response:
    form = callback(MessageStatus="failed", ErrorCode="30003")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(STATUS_URL, form)
    form["MessageStatus"] = "delivered"  # changed after Twilio signed it
    return client.post("/twilio/status", data=form, headers={"X-Twilio-Signature": signature})


def _other_address(client: TestClient) -> httpx.Response:
    form = callback(MessageStatus="delivered")
    return post_signed(client, form, url="https://elsewhere.example.org/twilio/status")


def _dry_run_token(client: TestClient) -> httpx.Response:
    # With a real account configured, the local dry-run token signs nothing.
    return post_signed(client, callback(MessageStatus="delivered"), token=DRY_RUN_AUTH_TOKEN)


@pytest.mark.parametrize(
    "send", [_forged, _missing, _altered, _other_address, _dry_run_token], ids=lambda f: f.__name__
)
def test_a_report_without_a_valid_signature_is_refused(
    client: TestClient, sqlite_engine: Engine, send: Callable[[TestClient], httpx.Response]
) -> None:
    response = send(client)

    assert response.status_code == 403
    row = outbox_row(sqlite_engine)
    assert (row.status, row.delivered_at) == ("queued", None)


def test_without_twilio_credentials_reports_are_checked_with_the_dry_run_token(
    make_client: ClientFactory, sqlite_engine: Engine
) -> None:
    with make_client(twilio_account_sid=None, twilio_auth_token=None) as client:
        refused = post_signed(client, callback(MessageStatus="delivered"), token=AUTH_TOKEN)
        accepted = post_signed(
            client, callback(MessageStatus="delivered"), token=DRY_RUN_AUTH_TOKEN
        )

    assert (refused.status_code, accepted.status_code) == (403, 204)
    assert outbox_row(sqlite_engine).status == "delivered"

"""What our gateway asks of Twilio's REST API, and how it reads the answers."""

from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy.orm import Session

from assistant.messaging.outbox import DryRunGateway, SendError, deliver_pending, enqueue_sms
from assistant.messaging.twilio_gateway import TwilioGateway, make_gateway
from assistant.settings import Settings
from tests.assistant.messaging.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FakeTwilio,
    error,
    twilio_gateway,
)
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)
OWNER = "+13125550177"


def test_a_message_goes_from_the_practice_number_with_a_status_callback(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    enqueue_sms(session, practice=practice, to_number=OWNER, body="Hi 👋", kind="reply", now=NOW)
    twilio = FakeTwilio(now=NOW)
    settings = Settings(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        public_base_url="https://assistant.example.org/",
    )

    deliver_pending(session, gateway=make_gateway(settings, http_client=twilio), now=NOW)

    [create] = twilio.creates
    assert create.uri == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert create.data == {
        "To": OWNER,
        "From": practice.sms_number,
        "Body": "Hi 👋",
        "StatusCallback": "https://assistant.example.org/twilio/status",
    }


def test_without_credentials_messages_are_only_logged() -> None:
    only_sid = Settings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=None)
    only_token = Settings(twilio_account_sid=None, twilio_auth_token=AUTH_TOKEN)
    assert isinstance(make_gateway(only_sid), DryRunGateway)
    assert isinstance(make_gateway(only_token), DryRunGateway)
    with_both = Settings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN)
    assert isinstance(make_gateway(with_both), TwilioGateway)


@pytest.mark.parametrize(
    ("answer", "outcome", "code"),
    [
        (error(500, 20500, "Internal Server Error"), "transient", "20500"),
        (error(503, 20503, "Service Unavailable"), "transient", "20503"),
        (error(429, 20429, "Too Many Requests"), "transient", "20429"),
        (error(400, 30001, "Queue overflow"), "transient", "30001"),
        (error(401, 20003, "Authenticate"), "transient", "20003"),  # fixable by an operator
        (requests.ConnectTimeout("connect timed out"), "transient", None),
        (requests.ReadTimeout("read timed out"), "unknown", None),  # it may have arrived
        (requests.ConnectionError("connection reset"), "unknown", None),
        (error(400, 21610, "Attempt to send to unsubscribed recipient"), "permanent", "21610"),
        (error(400, 21211, "Invalid 'To' Phone Number"), "permanent", "21211"),
        (error(400, 21614, "'To' number is not a valid mobile number"), "permanent", "21614"),
        (error(400, 21408, "Permission to send an SMS has not been enabled"), "permanent", "21408"),
    ],
)
def test_twilio_answers_are_sorted_into_retry_or_not(
    session: Session, answer: object, outcome: str, code: str | None
) -> None:
    practice = add_practice(session, kind="veterinary")
    [message] = enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Hi.", kind="reply", now=NOW
    )
    gateway = twilio_gateway(FakeTwilio(now=NOW, answers=[answer]))  # type: ignore[list-item]

    with pytest.raises(SendError) as raised:
        gateway.send(message, from_number=practice.sms_number)

    assert (raised.value.outcome, raised.value.code) == (outcome, code)


def test_an_earlier_send_is_found_by_recipient_sender_and_body(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    [message] = enqueue_sms(
        session, practice=practice, to_number=OWNER, body="Hi.", kind="reply", now=NOW
    )
    twilio = FakeTwilio(now=NOW)
    gateway = twilio_gateway(twilio)
    sent = gateway.send(message, from_number=practice.sms_number)
    other = message.body
    message.body = "Something else."
    assert gateway.find_sent(message, from_number=practice.sms_number) == []
    message.body = other

    found = gateway.find_sent(message, from_number=practice.sms_number)

    assert found == [sent]
    assert found[0].status == "queued" and found[0].provider_sid == twilio.messages[0]["sid"]
    assert twilio.requests[-1].method == "GET"
    assert twilio.requests[-1].params["To"] == OWNER

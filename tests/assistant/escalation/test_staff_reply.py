"""A staff reply leaves on the client's channel: by SMS through the outbox, never held by
quiet hours, never to a number that opted out; its delivery state follows Twilio's reports."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import Contact, Conversation, Escalation, Message, OutboxMessage, StaffUser
from assistant.escalation import casework
from assistant.escalation.queue import open_escalation
from assistant.messaging.outbox import (
    DryRunGateway,
    deliver_pending,
    delivery_states,
    record_delivery_status,
)
from tests.conftest import add_practice

# 2 a.m. in Chicago: outside the practice's sending hours.
NIGHT = datetime(2026, 12, 1, 8, tzinfo=UTC)
CLIENT = "+13125550177"


def claimed_case(
    session: Session,
    *,
    channel: str,
    sender: str,
    priority: str = "urgent",
    now: datetime = NIGHT,
) -> tuple[Escalation, StaffUser]:
    """A case on a new conversation with `sender`, claimed by a nurse of a new practice."""
    practice = add_practice(session, kind="veterinary")
    conversation = Conversation(practice_id=practice.id, channel=channel, sender_key=sender)
    nurse = StaffUser(
        practice_id=practice.id,
        name="Jordan Reyes",
        email="jordan@example.org",
        role="nurse",
        phone="+13125550170",
    )
    session.add_all([conversation, nurse])
    session.flush()
    session.add(Message(conversation_id=conversation.id, direction="in", body="he won't eat"))
    escalation = open_escalation(
        session, conversation=conversation, priority=priority, category="symptom", now=now
    )
    casework.claim(session, escalation=escalation, staff=nurse, now=now)
    return escalation, nurse


def _outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_sms_reply_is_queued_to_the_client_word_for_word_even_at_night(
    engine: Engine,
) -> None:
    with make_session_factory(engine)() as session:
        escalation, nurse = claimed_case(session, channel="sms", sender=CLIENT)
        words = "Please bring him in at 8 am; call the ER line if he gets weaker."

        message = casework.reply(session, escalation=escalation, staff=nurse, text=words, now=NIGHT)
        session.commit()

        staff_rows = [r for r in _outbox(session) if r.kind == "staff"]
        assert [(r.to_number, r.body, r.message_id) for r in staff_rows] == [
            (CLIENT, words, message.id)
        ]
        assert staff_rows[0].next_attempt_at is None  # not held until morning
        assert deliver_pending(session, gateway=DryRunGateway(), now=NIGHT) >= 1
        session.commit()
        assert delivery_states(session, [message.id]) == {message.id: "dry_run"}


def test_a_reply_to_a_number_that_opted_out_is_refused_and_nothing_is_stored(
    session: Session,
) -> None:
    escalation, nurse = claimed_case(session, channel="sms", sender=CLIENT)
    session.add(
        Contact(
            practice_id=escalation.practice_id,
            phone=CLIENT,
            first_name="",
            last_name="",
            consent="opted_out",
        )
    )
    session.flush()

    with pytest.raises(casework.CaseError, match="opted out"):
        casework.reply(session, escalation=escalation, staff=nurse, text="Hi", now=NIGHT)

    assert _outbox(session) == []
    assert [m.body for m in session.scalars(select(Message))] == ["he won't eat"]


def test_a_web_chat_reply_is_stored_for_the_page_and_not_texted(session: Session) -> None:
    escalation, nurse = claimed_case(session, channel="web", sender="browser-1")

    message = casework.reply(
        session, escalation=escalation, staff=nurse, text="We will call you.", now=NIGHT
    )

    assert message.body == "We will call you." and message.author_staff_id == nurse.id
    assert [r for r in _outbox(session) if r.kind == "staff"] == []


def test_the_delivery_state_follows_twilios_reports_and_a_failure_shows(
    session: Session,
) -> None:
    escalation, nurse = claimed_case(session, channel="sms", sender=CLIENT)
    message = casework.reply(
        session, escalation=escalation, staff=nurse, text="Call us please.", now=NIGHT
    )
    assert delivery_states(session, [message.id]) == {message.id: "pending"}
    [row] = [r for r in _outbox(session) if r.kind == "staff"]
    row.status, row.provider_sid = "queued", "SM" + "1" * 32

    record_delivery_status(
        session, provider_sid=row.provider_sid, status="delivered", error_code=None, now=NIGHT
    )
    assert delivery_states(session, [message.id]) == {message.id: "delivered"}

    row.status = "sent"
    record_delivery_status(
        session, provider_sid=row.provider_sid, status="undelivered", error_code="30003", now=NIGHT
    )
    assert delivery_states(session, [message.id]) == {message.id: "undelivered"}

"""`send_to_client`: one way out for every message to a client, on the conversation's channel."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Conversation, OutboxMessage
from assistant.messaging.delivery import send_to_client
from tests.conftest import add_practice

# 2 a.m. in Chicago: outside the practice's sending hours.
NIGHT = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _conversation(session: Session, channel: str, sender: str) -> Conversation:
    practice = add_practice(session, kind="veterinary")
    conversation = Conversation(practice_id=practice.id, channel=channel, sender_key=sender)
    session.add(conversation)
    session.flush()
    return conversation


def test_by_sms_it_is_queued_to_the_conversations_number(session: Session) -> None:
    conversation = _conversation(session, "sms", "+13125550177")

    [row] = send_to_client(
        session, conversation=conversation, body="See you at 9.", kind="reply", now=NIGHT
    )

    assert (row.to_number, row.body, row.conversation_id) == (
        "+13125550177",
        "See you at 9.",
        conversation.id,
    )
    assert row.next_attempt_at is None  # a reply is never held for quiet hours


def test_a_proactive_message_waits_for_sending_hours(session: Session) -> None:
    conversation = _conversation(session, "sms", "+13125550177")

    [row] = send_to_client(
        session, conversation=conversation, body="Visit tomorrow.", kind="proactive", now=NIGHT
    )

    assert row.next_attempt_at is not None and row.next_attempt_at > NIGHT


def test_web_chat_queues_no_text_message(session: Session) -> None:
    conversation = _conversation(session, "web", "web-" + "a" * 64)

    assert (
        send_to_client(
            session, conversation=conversation, body="A nurse will answer.", kind="staff", now=NIGHT
        )
        == []
    )
    assert session.scalars(select(OutboxMessage)).all() == []

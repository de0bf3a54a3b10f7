"""Every message to a client leaves through `send_to_client`, on its conversation's channel:
the bot's replies, staff replies, proactive messages and consent confirmations alike.

By SMS it is queued in the outbox to the conversation's number (`kind` decides whether quiet
hours hold it: only proactive messages wait). Web chat has nothing to queue: the page gets the
bot's replies in the answer to its message and reads staff messages from the conversation.
Pages to the on-call clinician go to staff phones, not clients: `escalation/paging.py`.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Message, OutboxMessage, Practice
from assistant.messaging.conversations import conversation_for
from assistant.messaging.outbox import enqueue_sms


def send_to_client(
    session: Session,
    *,
    conversation: Conversation,
    body: str,
    kind: str,
    now: datetime,
    template_id: str | None = None,
    message_id: int | None = None,
) -> list[OutboxMessage]:
    """Deliver `body` to the client of `conversation` (flushed, not committed); the outbox
    rows it queued, none for web chat."""
    if conversation.channel != "sms":
        return []
    practice = session.get_one(Practice, conversation.practice_id)
    return enqueue_sms(
        session,
        practice=practice,
        to_number=conversation.sender_key,
        body=body,
        kind=kind,
        now=now,
        conversation_id=conversation.id,
        template_id=template_id,
        message_id=message_id,
    )


def send_proactive(
    session: Session,
    *,
    practice: Practice,
    phone: str,
    body: str,
    template_id: str,
    template_version: int,
    now: datetime,
) -> list[OutboxMessage]:
    """A text the practice starts (a reminder, a claim's new status), sent by SMS to `phone`
    and shown in that number's conversation, so the client's answer ("C") is read in its
    context. Held until sending hours; flushed, not committed."""
    conversation = conversation_for(session, practice, "sms", phone, now)
    rows = send_to_client(
        session,
        conversation=conversation,
        body=body,
        kind="proactive",
        now=now,
        template_id=template_id,
    )
    session.add(
        Message(
            conversation_id=conversation.id,
            direction="out",
            body=body,
            template_id=template_id,
            template_version=template_version,
            created_at=now,
        )
    )
    return rows

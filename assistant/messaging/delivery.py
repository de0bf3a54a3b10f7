"""Every message to a client leaves through `send_to_client`, on its conversation's channel:
the bot's replies, staff replies, proactive messages and consent confirmations alike.

By SMS it is queued in the outbox to the conversation's number (`kind` decides whether quiet
hours hold it: only proactive messages wait). Web chat has nothing to queue: the page gets the
bot's replies in the answer to its message and reads staff messages from the conversation.
Pages to the on-call clinician go to staff phones, not clients: `escalation/paging.py`.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from assistant.db.models import Conversation, OutboxMessage, Practice
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

"""A message typed by staff leaves on the client's own channel.

By SMS it is queued in the outbox to the conversation's number, linked to the stored message
so the case shows whether it arrived, and never held for quiet hours (a person chose to send
it now). Web chat reads staff messages from the conversation, so nothing more is needed there.
A number that opted out (STOP) is never texted: the caller is told, so the person can call.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from assistant.db.models import Conversation, Message, Practice
from assistant.messaging.consent import is_opted_out
from assistant.messaging.delivery import send_to_client


class ClientOptedOut(Exception):
    """The client texted STOP: the practice may not text them until they text START."""


def check_can_send(session: Session, *, conversation: Conversation) -> None:
    """Raise `ClientOptedOut` when a staff message could not reach this client."""
    if conversation.channel != "sms":
        return
    practice = session.get_one(Practice, conversation.practice_id)
    if is_opted_out(session, practice, conversation.sender_key):
        raise ClientOptedOut(
            "this client has opted out of text messages (they texted STOP), so the reply was"
            " not sent; please call them instead"
        )


def send_staff_message(
    session: Session, *, conversation: Conversation, message: Message, now: datetime
) -> None:
    """Deliver a stored staff `message` on the conversation's channel (flushed, not
    committed). Call `check_can_send` first."""
    send_to_client(
        session,
        conversation=conversation,
        body=message.body,
        kind="staff",
        now=now,
        message_id=message.id,
    )

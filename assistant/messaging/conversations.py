"""Finding, or starting, the conversation with one sender on one channel."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.models import Contact, Conversation, Practice


def conversation_for(
    session: Session, practice: Practice, channel: str, sender_key: str, now: datetime
) -> Conversation:
    """The conversation with this sender on this channel, started (and linked to the contact
    with this phone number, for SMS) when there is none yet."""
    existing = _find(session, practice, channel, sender_key)
    if existing is not None:
        return existing
    contact_id = None
    if channel == "sms":
        contact_id = session.scalars(
            select(Contact.id).where(
                Contact.practice_id == practice.id, Contact.phone == sender_key
            )
        ).first()
    conversation = Conversation(
        practice_id=practice.id,
        channel=channel,
        sender_key=sender_key,
        contact_id=contact_id,
        created_at=now,
        last_message_at=now,
    )
    try:
        # Two first messages from one sender at once both find no conversation; the second
        # insert loses on the unique key and joins the one the first started.
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        started = _find(session, practice, channel, sender_key)
        if started is None:
            raise
        return started
    return conversation


def _find(
    session: Session, practice: Practice, channel: str, sender_key: str
) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(
            Conversation.practice_id == practice.id,
            Conversation.channel == channel,
            Conversation.sender_key == sender_key,
        )
    ).first()

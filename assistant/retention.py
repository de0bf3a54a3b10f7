"""Retention: what clients wrote and what we sent them is kept for a practice's retention period,
then removed (issue 18). `python -m assistant purge --older-than DAYS`.

Removed when older than the cut-off: resolved cases, delivered or failed outbox rows, answered
inbox rows with the pictures that came with them, conversation messages no remaining row points
to, and Rasa's tracker events (the same words, kept by Rasa). Kept whatever its age: open or
claimed cases and the messages they quote, messages still waiting to be sent or answered, and
the audit log (who did what, without message text)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Engine, delete, select, text, true, union
from sqlalchemy.orm import InstrumentedAttribute, Session

from assistant.db.models import (
    Conversation,
    Escalation,
    InboxMessage,
    Message,
    OutboxMessage,
    Picture,
)
from assistant.db.models.escalation import CaseStatus

UNSENT = ("pending", "sending")


@dataclass(frozen=True)
class PurgeReport:
    cases: int
    outbox: int
    inbox: int
    pictures: int
    messages: int
    tracker_events: int = 0


def purge(
    session: Session, *, older_than: timedelta, now: datetime, practice_id: int | None = None
) -> PurgeReport:
    """Remove what is older than `older_than` (for one practice, or all); the caller commits."""
    cutoff = now - older_than

    def of_practice(column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
        return true() if practice_id is None else column == practice_id

    def removed(statement: Any) -> int:
        return int(cast(CursorResult[Any], session.execute(statement)).rowcount)

    cases = removed(
        delete(Escalation).where(
            of_practice(Escalation.practice_id),
            Escalation.status == CaseStatus.RESOLVED,
            Escalation.created_at < cutoff,
        )
    )
    outbox = removed(
        delete(OutboxMessage).where(
            of_practice(OutboxMessage.practice_id),
            OutboxMessage.status.not_in(UNSENT),
            OutboxMessage.created_at < cutoff,
        )
    )
    purged_inbox = select(InboxMessage.id).where(
        of_practice(InboxMessage.practice_id),
        InboxMessage.status == "processed",
        InboxMessage.received_at < cutoff,
    )
    # The pictures a client sent go with the message they came with.
    pictures = removed(delete(Picture).where(Picture.inbox_message_id.in_(purged_inbox)))
    inbox = removed(delete(InboxMessage).where(InboxMessage.id.in_(purged_inbox)))
    still_quoted = union(
        select(Escalation.message_id).where(Escalation.message_id.is_not(None)),
        select(OutboxMessage.message_id).where(OutboxMessage.message_id.is_not(None)),
        select(InboxMessage.message_id).where(InboxMessage.message_id.is_not(None)),
    )
    in_practice = select(Conversation.id).where(of_practice(Conversation.practice_id))
    messages = removed(
        delete(Message).where(
            Message.conversation_id.in_(in_practice),
            Message.created_at < cutoff,
            Message.id.not_in(still_quoted),
        )
    )
    return PurgeReport(
        cases=cases, outbox=outbox, inbox=inbox, pictures=pictures, messages=messages
    )


def purge_tracker_events(tracker: Engine, *, older_than: timedelta, now: datetime) -> int:
    """Rasa's SQL tracker store keeps every event with a Unix `timestamp`: remove the old ones."""
    cutoff = (now - older_than).timestamp()
    with tracker.begin() as connection:
        result = connection.execute(
            text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
        )
    return int(result.rowcount or 0)

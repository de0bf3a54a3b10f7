"""Retention: what clients wrote and what we sent them is kept for a practice's retention period
(`practice.retention_days`), then removed (issue 18). The api applies each practice's period
every `RETENTION_CHECK_SECONDS`; `python -m assistant purge` does it by hand, and
`--older-than DAYS` with one period for all.

Removed when older than the cut-off: resolved cases, delivered or failed outbox rows, answered
inbox rows with the pictures that came with them, conversation messages no remaining row points
to, and Rasa's tracker events (the same words, kept by Rasa). Kept whatever its age: open or
claimed cases and the messages they quote, messages still waiting to be sent or answered, and
the audit log (who did what, without message text)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Engine,
    bindparam,
    create_engine,
    delete,
    select,
    text,
    true,
    union,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import InstrumentedAttribute, Session

from assistant.db.models import (
    Conversation,
    Escalation,
    InboxMessage,
    Message,
    OutboxMessage,
    Picture,
    Practice,
)
from assistant.db.models.escalation import CaseStatus

UNSENT = ("pending", "sending")
# Rasa's events of one practice are found by their conversations' ids, this many at a time.
SENDERS_PER_DELETE = 500


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


def apply_retention_periods(
    session: Session,
    *,
    now: datetime,
    tracker: Engine | None = None,
    practice_id: int | None = None,
) -> dict[str, PurgeReport]:
    """Purge each practice (or the one given) that has set its period, by that period, with the
    Rasa events of its conversations when `tracker` is given; the caller commits. Keyed by
    practice slug."""
    reports = {}
    with_period = select(Practice).where(
        Practice.retention_days.is_not(None),
        true() if practice_id is None else Practice.id == practice_id,
    )
    for practice in session.scalars(with_period):
        older_than = timedelta(days=practice.retention_days or 0)
        report = purge(session, older_than=older_than, now=now, practice_id=practice.id)
        if tracker is not None:
            senders = session.scalars(
                select(Conversation.id).where(Conversation.practice_id == practice.id)
            ).all()
            events = purge_tracker_events(tracker, older_than=older_than, now=now, senders=senders)
            report = replace(report, tracker_events=events)
        reports[practice.slug] = report
    return reports


def purge_tracker_events(
    tracker: Engine,
    *,
    older_than: timedelta,
    now: datetime,
    senders: Sequence[str] | None = None,
) -> int:
    """Rasa's SQL tracker store keeps every event with a Unix `timestamp` and the conversation
    id as `sender_id`: remove the old ones (of `senders` only, when given)."""
    cutoff = (now - older_than).timestamp()
    batches: list[dict[str, Any]] = [{}]
    statement = text("DELETE FROM events WHERE timestamp < :cutoff")
    if senders is not None:
        statement = text(
            "DELETE FROM events WHERE timestamp < :cutoff AND sender_id IN :senders"
        ).bindparams(bindparam("senders", expanding=True))
        batches = [
            {"senders": list(senders[start : start + SENDERS_PER_DELETE])}
            for start in range(0, len(senders), SENDERS_PER_DELETE)
        ]
    removed = 0
    with tracker.begin() as connection:
        for batch in batches:
            result = connection.execute(statement, {"cutoff": cutoff, **batch})
            removed += int(result.rowcount or 0)
    return removed


def tracker_engine(url: str) -> Engine:
    """An engine on Rasa's tracker store. Its URL is written for Rasa's SQLAlchemy 1.4 and
    psycopg2 (`postgresql://`); this environment has psycopg 3, so that driver is named."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)

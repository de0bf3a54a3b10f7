"""The caps on proactive texts: by default at most 1 a day and 3 in 7 days per contact, for
messages that are not replies (the TCPA healthcare exemption's limits)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Contact, OutboxMessage, Outreach, Practice


@dataclass(frozen=True)
class OutreachLimits:
    per_day: int = 1
    per_week: int = 3


def within_caps(
    session: Session, *, practice: Practice, contact: Contact, now: datetime, limits: OutreachLimits
) -> bool:
    """Whether one more proactive text to `contact` stays within the caps. The day is the
    practice's calendar day; the week is the 7 days up to now."""
    zone = ZoneInfo(practice.timezone)
    local_midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
    day_start = local_midnight.astimezone(UTC)
    week_start = now - timedelta(days=7)
    today = _sent_since(session, practice, contact, day_start)
    week = _sent_since(session, practice, contact, week_start)
    return today < limits.per_day and week < limits.per_week


def _sent_since(session: Session, practice: Practice, contact: Contact, since: datetime) -> int:
    outreach = session.scalar(
        select(func.count())
        .select_from(Outreach)
        .where(
            Outreach.contact_id == contact.id,
            Outreach.status == "queued",
            Outreach.created_at >= since,
        )
    )
    # Proactive texts sent outside the scheduler (a claim's new status) count too.
    other = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.practice_id == practice.id,
            OutboxMessage.to_number == contact.phone,
            OutboxMessage.kind == "proactive",
            OutboxMessage.outreach_id.is_(None),
            OutboxMessage.status.not_in(("withdrawn", "suppressed")),
            OutboxMessage.created_at >= since,
        )
    )
    return int(outreach or 0) + int(other or 0)

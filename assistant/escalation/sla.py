"""Deadlines that pass: an emergency or urgent case nobody acknowledged pages again."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Escalation
from assistant.db.models.escalation import CaseStatus, Priority
from assistant.escalation.paging import page_on_call

# How long after the last page, once the deadline has passed, the next page goes out.
REPAGE_EVERY: dict[str, timedelta] = {
    Priority.EMERGENCY: timedelta(minutes=5),
    Priority.URGENT: timedelta(minutes=15),
}
# Pages per case, the first one included: from the third the backup is paged too, so six
# pages are half an hour of an unacknowledged emergency. Past that, more texts to the same two
# phones would only be a storm; the case stays at the top of the queue, overdue.
MAX_PAGES_PER_CASE = 6


def repage_overdue(session: Session, *, now: datetime, case_url_base: str) -> list[Escalation]:
    """Page again for every unacknowledged emergency or urgent case past its deadline.

    The second page goes to the on-call clinician again, later ones to the backup too, up to
    MAX_PAGES_PER_CASE pages in all.
    Rows are locked while paging so several api processes never page twice for one case.
    """
    overdue = session.scalars(
        select(Escalation)
        .where(
            Escalation.status == CaseStatus.OPEN,
            Escalation.acknowledged_at.is_(None),
            Escalation.priority.in_(tuple(REPAGE_EVERY)),
            Escalation.due_at <= now,
            Escalation.page_count < MAX_PAGES_PER_CASE,
        )
        .order_by(Escalation.due_at)
        .with_for_update(skip_locked=True)
    ).all()
    repaged = []
    for escalation in overdue:
        last = escalation.last_paged_at
        if last is not None and now - last < REPAGE_EVERY[escalation.priority]:
            continue
        page_on_call(
            session,
            escalation=escalation,
            now=now,
            case_url=f"{case_url_base.rstrip('/')}/nurse/cases/{escalation.id}",
        )
        repaged.append(escalation)
    return repaged

"""Page the on-call clinician by SMS (through the outbox) about an emergency or urgent case."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Escalation, OnCallShift, OutboxMessage, Practice, StaffUser
from assistant.db.models.escalation import Priority

PAGED_PRIORITIES = (Priority.EMERGENCY, Priority.URGENT)
# Without a rota entry, these roles are paged, so a case is never left with nobody told.
CLINICIAN_ROLES = ("oncologist", "surgeon")


def on_call_at(session: Session, practice: Practice, at: datetime) -> OnCallShift | None:
    return session.scalars(
        select(OnCallShift)
        .where(
            OnCallShift.practice_id == practice.id,
            OnCallShift.starts_at <= at,
            OnCallShift.ends_at > at,
        )
        .order_by(OnCallShift.starts_at.desc())
    ).first()


def page_on_call(
    session: Session, *, escalation: Escalation, now: datetime, case_url: str
) -> list[OutboxMessage]:
    """Queue a page to whoever is on call; from the third page on, to the backup as well.

    The page names the case and links to it; it carries no health details, because an
    SMS can be read on a locked screen.
    """
    practice = session.get_one(Practice, escalation.practice_id)
    recipients = _recipients(session, practice, now, include_backup=escalation.page_count >= 2)
    body = (
        f"{escalation.priority.upper()} case #{escalation.id} at {practice.name}, "
        f"respond by {escalation.due_at:%H:%M} UTC. Open: {case_url}"
    )
    pages = [
        OutboxMessage(
            practice_id=practice.id, to_number=staff.phone, body=body, kind="page", status="pending"
        )
        for staff in recipients
    ]
    session.add_all(pages)
    escalation.page_count += 1
    escalation.last_paged_at = now
    session.flush()
    record(
        session,
        practice_id=practice.id,
        actor="bot",
        action="escalation.paged",
        entity=escalation,
        details={"staff_ids": [s.id for s in recipients], "outbox_ids": [p.id for p in pages]},
    )
    return pages


def _recipients(
    session: Session, practice: Practice, now: datetime, *, include_backup: bool
) -> list[StaffUser]:
    shift = on_call_at(session, practice, now)
    if shift is not None:
        ids = [shift.staff_id]
        if include_backup and shift.backup_staff_id is not None:
            ids.append(shift.backup_staff_id)
        return [session.get_one(StaffUser, staff_id) for staff_id in ids]
    return list(
        session.scalars(
            select(StaffUser).where(
                StaffUser.practice_id == practice.id,
                StaffUser.role.in_(CLINICIAN_ROLES),
                StaffUser.active.is_(True),
            )
        )
    )

"""Book, move or cancel one visit by hand, through the same scheduling rules as a booking by
text (the clinician's shift and role, the time held once): a visit booked here is one the
bot can then remind, confirm and move like any other."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant import audit
from assistant.db.models import Appointment, Patient, Practice
from assistant.errors import Invalid, NotFound
from assistant.scheduling import booking


def visit_in_practice(session: Session, practice: Practice, visit_id: int) -> Appointment:
    visit = session.get(Appointment, visit_id)
    if visit is None or visit.practice_id != practice.id:
        raise NotFound("no such visit here")
    return visit


def practice_time(practice: Practice, local: datetime, now: datetime) -> datetime:
    """A wall-clock time typed at the desk, read in the practice's time zone."""
    if local.tzinfo is not None:
        raise Invalid("give the local time without a zone, e.g. 2026-12-15T10:00")
    at = local.replace(tzinfo=ZoneInfo(practice.timezone))
    if at <= now:
        raise Invalid("that time has already passed")
    return at


def book_visit(
    session: Session,
    *,
    practice: Practice,
    patient: Patient,
    type_code: str,
    starts_at: datetime,
    clinician_id: int | None,
    request_key: str,
    actor: str,
    now: datetime,
) -> Appointment:
    kind = booking.appointment_type_by_code(session, practice.id, type_code)
    if kind is None:
        raise Invalid(f"no appointment type {type_code!r} here")
    key = f"desk:{request_key}"
    if (done := booking.appointment_with_key(session, key)) is not None:
        return done
    visit = booking.book(
        session,
        patient=patient,
        appointment_type=kind,
        starts_at=starts_at,
        clinician_id=clinician_id,
        idempotency_key=key,
        now=now,
    )
    _audit(session, practice, actor, "visit.booked_by_staff", visit)
    return visit


def move_visit(
    session: Session,
    *,
    practice: Practice,
    visit: Appointment,
    starts_at: datetime,
    clinician_id: int | None,
    request_key: str,
    actor: str,
    now: datetime,
) -> Appointment:
    key = f"desk:{request_key}"
    if (done := booking.appointment_with_key(session, key)) is not None:
        return done
    moved = booking.reschedule(
        session,
        appointment=visit,
        starts_at=starts_at,
        idempotency_key=key,
        now=now,
        clinician_id=clinician_id,
    )
    _audit(session, practice, actor, "visit.moved_by_staff", moved)
    return moved


def cancel_visit(
    session: Session, *, practice: Practice, visit: Appointment, actor: str, now: datetime
) -> Appointment:
    booking.cancel(session, appointment=visit, now=now)
    _audit(session, practice, actor, "visit.cancelled_by_staff", visit)
    return visit


def _audit(
    session: Session, practice: Practice, actor: str, action: str, visit: Appointment
) -> None:
    audit.record(
        session,
        practice_id=practice.id,
        actor=actor,
        action=action,
        entity=visit,
        details={"starts_at": visit.starts_at.isoformat(), "patient_id": visit.patient_id},
    )

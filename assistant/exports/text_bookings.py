"""The visits clients booked, moved or cancelled by text in a period: what staff enter in the
practice's own schedule.

Each change by text is in the audit log (`visit.booked_by_text`, `visit.moved_by_text`,
`visit.cancelled_by_text`, written by assistant/scheduling/client_requests.py). Two changes
follow from a text without a row of their own, found by their idempotency keys: the blood
count moved along with a protocol treatment (`<key>-cbc`), and the nurse call back booked when
a client texts a concern (`concern-...`, assistant/scheduling/followup.py)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    Appointment,
    AppointmentType,
    AuditLog,
    Contact,
    Patient,
    Practice,
    StaffUser,
)
from assistant.errors import Invalid
from assistant.exports.period import Period
from assistant.scheduling.booking import appointment_with_key

CHANGES_BY_ACTION = {
    "visit.booked_by_text": "booked",
    "visit.moved_by_text": "moved",
    "visit.cancelled_by_text": "cancelled",
}
MOVED_WITH_TREATMENT = "moved with its treatment"
CONCERN_CALL = "call back for a concern"
CONCERN_KEY_PREFIX = "concern-"
# A practice books a few dozen visits a day; more than this in one export is a wrong period.
MAX_CHANGES = 5000


@dataclass(frozen=True)
class TextBooking:
    changed_at: datetime
    change: str  # booked | moved | cancelled | MOVED_WITH_TREATMENT | CONCERN_CALL
    appointment: Appointment
    # For a move: the visit it replaced (now "rescheduled").
    previous: Appointment | None
    patient: Patient
    visit_type: AppointmentType
    clinician: StaffUser
    by: str  # the contact who texted, or "assistant"


def text_bookings(session: Session, practice: Practice, period: Period) -> list[TextBooking]:
    """Every change by text in `period`, oldest first."""
    found: list[tuple[datetime, str, Appointment, str]] = []
    audited = session.execute(
        select(AuditLog.created_at, AuditLog.action, AuditLog.actor, AuditLog.entity_id)
        .where(
            AuditLog.practice_id == practice.id,
            AuditLog.action.in_(list(CHANGES_BY_ACTION)),
            AuditLog.entity_type == Appointment.__tablename__,
            AuditLog.created_at >= period.starts_at,
            AuditLog.created_at < period.ends_at,
        )
        .limit(MAX_CHANGES + 1)
    ).all()
    for at, action, actor, entity_id in audited:
        appointment = session.get(Appointment, int(entity_id))
        if appointment is None or appointment.practice_id != practice.id:
            continue  # only this practice's own visits, whatever a row says
        found.append((at, CHANGES_BY_ACTION[action], appointment, _who(session, actor)))
        if action == "visit.moved_by_text" and appointment.idempotency_key:
            cbc = appointment_with_key(session, f"{appointment.idempotency_key}-cbc")
            if cbc is not None:
                found.append((at, MOVED_WITH_TREATMENT, cbc, _who(session, actor)))
    calls = session.scalars(
        select(Appointment)
        .where(
            Appointment.practice_id == practice.id,
            Appointment.idempotency_key.startswith(CONCERN_KEY_PREFIX),
            Appointment.created_at >= period.starts_at,
            Appointment.created_at < period.ends_at,
        )
        .limit(MAX_CHANGES + 1)
    )
    found += [(a.created_at, CONCERN_CALL, a, "assistant") for a in calls]
    if len(found) > MAX_CHANGES:
        raise Invalid(f"more than {MAX_CHANGES} changes by text in this period: ask for less")
    found.sort(key=lambda item: (item[0], item[2].id))
    return [_booking(session, at, change, a, by) for at, change, a, by in found]


def _booking(
    session: Session, at: datetime, change: str, appointment: Appointment, by: str
) -> TextBooking:
    previous = (
        session.get(Appointment, appointment.rescheduled_from_id)
        if appointment.rescheduled_from_id is not None and change != "cancelled"
        else None
    )
    return TextBooking(
        changed_at=at,
        change=change,
        appointment=appointment,
        previous=previous,
        patient=session.get_one(Patient, appointment.patient_id),
        visit_type=session.get_one(AppointmentType, appointment.appointment_type_id),
        clinician=session.get_one(StaffUser, appointment.clinician_id),
        by=by,
    )


def _who(session: Session, actor: str) -> str:
    kind, _, actor_id = actor.partition(":")
    if kind == "contact" and actor_id.isdigit():
        contact = session.get(Contact, int(actor_id))
        if contact is not None:
            return f"{contact.first_name} {contact.last_name}"
    return "client (unregistered number)" if kind == "conversation" else actor

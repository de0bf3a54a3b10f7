"""Appointments from the source: booked, moved and cancelled through the scheduling
functions (`assistant.scheduling.booking`), so a visit the source cancels or moves is
cancelled or moved here the way a client's text does it: its time is released, the outreach
scheduler (which reminds only booked visits, `assistant.coordination.visits`) sends nothing
more for it, and its staff alerts resolve themselves.

A future booking must fit the clinician's shift and free time, like any booking; a visit in
the past is history and is recorded as it was, holding its time all the same.
"""

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AppointmentType, Patient, Practice, StaffUser
from assistant.imports.records import AppointmentRecord
from assistant.imports.report import Outcome
from assistant.imports.upsert import RowRefused, by_source_id, patient_for, staff_for
from assistant.scheduling.booking import BookingError, SlotTaken, book, cancel, reschedule
from assistant.scheduling.claims import claim_time


def apply_appointment(
    session: Session, practice: Practice, rec: AppointmentRecord, *, now: datetime, actor: str
) -> Outcome:
    patient = patient_for(session, practice, rec.patient_source_id)
    kind = _visit_type(session, practice, rec.type_code)
    clinician = staff_for(session, practice, rec.provider)
    current = by_source_id(session, Appointment, practice, rec.source_id)
    if current is None:
        _create(session, practice, rec, patient, kind, clinician, now=now)
        return "created"
    if current.status != "rescheduled":
        return _update(session, practice, current, rec, patient, kind, clinician, now=now)
    current = _after_moves_here(session, practice, current, rec)
    _update(session, practice, current, rec, patient, kind, clinician, now=now)
    return "updated"  # the source id moved to the visit it became, at least


def _create(
    session: Session,
    practice: Practice,
    rec: AppointmentRecord,
    patient: Patient,
    kind: AppointmentType,
    clinician: StaffUser,
    *,
    now: datetime,
    replacing: int | None = None,
) -> Appointment:
    ends_at = rec.starts_at + timedelta(minutes=kind.duration_minutes)
    if rec.status == "booked" and rec.starts_at > now:
        try:
            appointment = book(
                session,
                patient=patient,
                appointment_type=kind,
                starts_at=rec.starts_at,
                clinician_id=clinician.id,
                idempotency_key=_key(practice, rec, "booked", replacing),
                now=now,
            )
        except BookingError as exc:
            raise _refusal(practice, rec, clinician, exc) from exc
    else:
        if rec.status == "completed" and ends_at > now:
            raise RowRefused(
                f"marked completed, but it ends in the future ({_local(practice, ends_at)})"
            )
        appointment = Appointment(
            practice_id=practice.id,
            patient_id=patient.id,
            appointment_type_id=kind.id,
            clinician_id=clinician.id,
            starts_at=rec.starts_at,
            ends_at=ends_at,
            status=rec.status,
            created_at=now,
            cancelled_at=now if rec.status == "cancelled" else None,
            # A visit the source completed gets its treatment summary like one staff mark
            # complete here, if it ended in the last few days (assistant/coordination/visits.py).
            completed_at=ends_at if rec.status == "completed" else None,
        )
        try:
            with session.begin_nested():
                session.add(appointment)
                session.flush()
                if rec.status != "cancelled":  # history holds its time too
                    claim_time(session, appointment)
        except IntegrityError as exc:
            when = _local(practice, rec.starts_at)
            raise RowRefused(f"overlaps another booking of {clinician.email} at {when}") from exc
    appointment.source_id = rec.source_id
    session.flush()
    return appointment


def _update(
    session: Session,
    practice: Practice,
    current: Appointment,
    rec: AppointmentRecord,
    patient: Patient,
    kind: AppointmentType,
    clinician: StaffUser,
    *,
    now: datetime,
) -> Outcome:
    if current.status == "cancelled":
        if rec.status == "cancelled":
            return "unchanged"
        raise RowRefused(
            f"appointment {rec.source_id!r} was cancelled here (by the client or staff); "
            f"the source still has it {rec.status}: update it there"
        )
    if current.status == "completed":
        if rec.status == "cancelled":
            raise RowRefused(
                f"appointment {rec.source_id!r} was completed here; the source says cancelled"
            )
        return "unchanged"  # the source may not have caught up with staff marking it done
    if rec.status == "cancelled":
        cancel(session, appointment=current, now=now)
        return "updated"
    if current.patient_id != patient.id or current.appointment_type_id != kind.id:
        # Another pet or another kind of visit under the same id: this one is replaced.
        current.source_id = None
        session.flush()
        cancel(session, appointment=current, now=now)
        _create(session, practice, rec, patient, kind, clinician, now=now, replacing=current.id)
        return "updated"
    if current.starts_at != rec.starts_at or current.clinician_id != clinician.id:
        current = _move(session, practice, current, rec, clinician, now=now)
        if rec.status == "booked":
            return "updated"
    if rec.status == "completed":
        if current.ends_at > now:
            raise RowRefused(
                f"marked completed, but it ends in the future ({_local(practice, current.ends_at)})"
            )
        current.status = "completed"
        current.completed_at = current.ends_at
        session.flush()
        return "updated"
    return "unchanged"


def _move(
    session: Session,
    practice: Practice,
    current: Appointment,
    rec: AppointmentRecord,
    clinician: StaffUser,
    *,
    now: datetime,
) -> Appointment:
    if rec.starts_at <= now:
        raise RowRefused(
            f"appointment {rec.source_id!r} moved to {_local(practice, rec.starts_at)}, "
            "which has passed; a booking is only moved to a time ahead"
        )
    # The new row carries the source id from here on; the old one keeps its history.
    current.source_id = None
    session.flush()
    try:
        moved = reschedule(
            session,
            appointment=current,
            starts_at=rec.starts_at,
            idempotency_key=_key(practice, rec, "moved", current.id),
            now=now,
            clinician_id=clinician.id,
        )
    except BookingError as exc:
        raise _refusal(practice, rec, clinician, exc) from exc
    moved.source_id = rec.source_id
    session.flush()
    return moved


def _after_moves_here(
    session: Session, practice: Practice, old: Appointment, rec: AppointmentRecord
) -> Appointment:
    """The source's appointment was moved here (by the client's text, or staff): the visit it
    became takes the source id when the source agrees about the time or cancels it; otherwise
    the row is refused, so the move made here is not undone."""
    latest = old
    while latest.status == "rescheduled":
        following = session.scalars(
            select(Appointment).where(Appointment.rescheduled_from_id == latest.id)
        ).first()
        if following is None:
            break
        latest = following
    if rec.status == "booked" and latest.starts_at != rec.starts_at:
        raise RowRefused(
            f"appointment {rec.source_id!r} was moved here to "
            f"{_local(practice, latest.starts_at)}; the source still has "
            f"{_local(practice, rec.starts_at)}: update it there"
        )
    old.source_id = None
    session.flush()
    latest.source_id = rec.source_id
    session.flush()
    return latest


def _visit_type(session: Session, practice: Practice, code: str) -> AppointmentType:
    """Our appointment type by its code (or its name, whatever the case)."""
    found = session.scalars(
        select(AppointmentType).where(
            AppointmentType.practice_id == practice.id,
            or_(
                AppointmentType.code == code,
                func.lower(AppointmentType.name) == code.lower(),
            ),
        )
    ).first()
    if found is None:
        raise RowRefused(
            f"unknown appointment type {code!r} (map it under appointment_types: in the "
            "mapping file)"
        )
    return found


def _refusal(
    practice: Practice, rec: AppointmentRecord, clinician: StaffUser, exc: BookingError
) -> RowRefused:
    when = _local(practice, rec.starts_at)
    if isinstance(exc, SlotTaken):
        return RowRefused(f"overlaps another booking of {clinician.email} at {when}")
    return RowRefused(f"cannot book {clinician.email} at {when}: {exc}")


def _key(practice: Practice, rec: AppointmentRecord, what: str, row_id: int | None) -> str:
    """A booking's idempotency key, unique to this source appointment and this change."""
    digest = hashlib.sha256(f"{practice.id}|{rec.source_id}|{what}|{row_id}".encode()).hexdigest()
    return f"import-{digest[:40]}"


def _local(practice: Practice, at: datetime) -> str:
    return at.astimezone(ZoneInfo(practice.timezone)).strftime("%Y-%m-%d %H:%M")

"""Book, move, cancel and confirm appointments; the database refuses double bookings."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.models import (
    Appointment,
    AppointmentType,
    ClinicianShift,
    Patient,
    Practice,
    ProtocolSeries,
)
from assistant.errors import Conflict
from assistant.scheduling.availability import SlotFinder, eligible_clinicians
from assistant.scheduling.claims import claim_time, release_time
from assistant.scheduling.protocol_definitions import load_protocol


class BookingError(Conflict):
    """A booking, move or cancellation that cannot be done; the message says why."""


class SlotTaken(BookingError):
    """Someone else holds that time (found by the database, so also under a race)."""


class InvalidBooking(BookingError):
    """The request itself is wrong: a past time, outside the clinician's shift, wrong role."""


class SpacingViolation(BookingError):
    """The move would put two treatments of a protocol closer than it allows."""


def book(
    session: Session,
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    clinician_id: int | None,
    idempotency_key: str,
    now: datetime,
    drug: str | None = None,
    protocol_series_id: int | None = None,
    protocol_step: int | None = None,
) -> Appointment:
    """Book `patient` at `starts_at` and hold the clinician's time; the caller commits.

    The same `idempotency_key` always gives back the same appointment, also when two requests
    race. With no `clinician_id`, any eligible clinician free then is taken (the patient's own
    clinician first). Raises SlotTaken when the time is held, InvalidBooking when it cannot be.
    """
    existing = appointment_with_key(session, idempotency_key)
    if existing is not None:
        return existing
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    candidates = _clinicians_for(
        session,
        patient=patient,
        appointment_type=appointment_type,
        starts_at=starts_at,
        ends_at=ends_at,
        clinician_id=clinician_id,
        now=now,
    )
    for candidate in candidates:
        appointment = Appointment(
            practice_id=patient.practice_id,
            patient_id=patient.id,
            appointment_type_id=appointment_type.id,
            clinician_id=candidate,
            starts_at=starts_at,
            ends_at=ends_at,
            status="booked",
            idempotency_key=idempotency_key,
            drug=drug,
            protocol_series_id=protocol_series_id,
            protocol_step=protocol_step,
            created_at=now,
        )
        if _insert_holding_time(session, appointment):
            return appointment
        # The key may have lost a race to an identical request: that one is our booking.
        existing = appointment_with_key(session, idempotency_key)
        if existing is not None:
            return existing
    raise SlotTaken(f"{appointment_type.name} at {starts_at.isoformat()} is no longer free")


def reschedule(
    session: Session,
    *,
    appointment: Appointment,
    starts_at: datetime,
    idempotency_key: str,
    now: datetime,
    clinician_id: int | None = None,
) -> Appointment:
    """Move a booking: a new row (rescheduled_from_id) replaces it, the old one becomes
    'rescheduled' and frees its time, all or nothing. A protocol treatment keeps the protocol's
    spacing (SpacingViolation) and takes its same-day CBC along. With `clinician_id` (a move
    recorded in the practice's own system) only that clinician takes the new time."""
    existing = appointment_with_key(session, idempotency_key)
    if existing is not None:
        return existing
    if appointment.status != "booked":
        raise InvalidBooking(f"appointment {appointment.id} is {appointment.status}, not booked")
    kind = session.get_one(AppointmentType, appointment.appointment_type_id)
    ends_at = starts_at + timedelta(minutes=kind.duration_minutes)
    if starts_at <= now:
        raise InvalidBooking("that time has already passed")
    cbc = None
    if appointment.protocol_series_id is not None and appointment.drug is not None:
        _check_spacing(session, appointment=appointment, starts_at=starts_at)
        cbc = _same_day_cbc(session, appointment)

    with session.begin_nested():
        # The old time is released first, so a booking can move by less than its length.
        for old in (appointment, cbc):
            if old is not None:
                old.status = "rescheduled"
                release_time(session, old)
        session.flush()
        eligible = _eligible_ids(session, kind)
        if clinician_id is not None:
            if clinician_id not in eligible:
                raise InvalidBooking(f"that clinician does not do {kind.name}")
            if not _fits_shift(session, clinician_id, starts_at, ends_at):
                raise InvalidBooking("that time is outside the clinician's shift")
            working = [clinician_id]
        else:
            others = [c for c in eligible if c != appointment.clinician_id]
            working = [
                c
                for c in [appointment.clinician_id, *others]
                if _fits_shift(session, c, starts_at, ends_at)
            ]
        if not working:
            raise InvalidBooking(f"no one does {kind.name} at that time")
        moved = None
        for candidate in working:
            moved = _copy(appointment, candidate, starts_at, ends_at, idempotency_key, now)
            if _insert_holding_time(session, moved):
                break
            moved = None
        if moved is None:
            raise SlotTaken(f"{kind.name} at {starts_at.isoformat()} is not free")
        if cbc is not None:
            lead = appointment.starts_at - cbc.starts_at
            _move_cbc(session, cbc=cbc, treatment=moved, lead=lead, key=idempotency_key, now=now)
    return moved


def cancel(session: Session, *, appointment: Appointment, now: datetime) -> Appointment:
    """Cancel a booking and free its time; cancelling twice changes nothing."""
    if appointment.status == "cancelled":
        return appointment
    if appointment.status != "booked":
        raise InvalidBooking(f"appointment {appointment.id} is {appointment.status}, not booked")
    appointment.status = "cancelled"
    appointment.cancelled_at = now
    release_time(session, appointment)
    session.flush()
    return appointment


def confirm(session: Session, *, appointment: Appointment, now: datetime) -> Appointment:
    """Record that the client confirmed; the first confirmation's time is kept."""
    if appointment.status != "booked":
        raise InvalidBooking(f"appointment {appointment.id} is {appointment.status}, not booked")
    if appointment.confirmed_at is None:
        appointment.confirmed_at = now
        session.flush()
    return appointment


def upcoming(session: Session, *, patient_ids: Sequence[int], now: datetime) -> list[Appointment]:
    """Booked appointments of these patients that have not started, soonest first."""
    if not patient_ids:
        return []
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.patient_id.in_(list(patient_ids)),
                Appointment.status == "booked",
                Appointment.starts_at > now,
            )
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )


def appointment_type_by_code(
    session: Session, practice_id: int, code: str
) -> AppointmentType | None:
    """The practice's appointment type with this code, if it has one."""
    return session.scalars(
        select(AppointmentType).where(
            AppointmentType.practice_id == practice_id, AppointmentType.code == code
        )
    ).first()


def appointment_with_key(session: Session, key: str) -> Appointment | None:
    """The booking a request with this idempotency key already made, if any."""
    return session.scalars(select(Appointment).where(Appointment.idempotency_key == key)).first()


def _insert_holding_time(session: Session, appointment: Appointment) -> bool:
    """Insert the appointment and its cells in a savepoint; False when the database refused.

    The INSERT is the savepoint's first statement: on SQLite that lets a writer wait for the
    lock instead of failing on a stale read snapshot.
    """
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
            claim_time(session, appointment)
    except IntegrityError:
        return False
    return True


def _clinicians_for(
    session: Session,
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    ends_at: datetime,
    clinician_id: int | None,
    now: datetime,
) -> list[int]:
    """Who may take the booking, best first; raises InvalidBooking when nobody can."""
    if starts_at.tzinfo is None:
        raise InvalidBooking("naive datetime given; pass an aware UTC datetime")
    if starts_at <= now:
        raise InvalidBooking("that time has already passed")
    if appointment_type.practice_id != patient.practice_id:
        raise InvalidBooking("that appointment type belongs to another practice")
    eligible = _eligible_ids(session, appointment_type)
    if clinician_id is not None:
        if clinician_id not in eligible:
            raise InvalidBooking(f"that clinician does not do {appointment_type.name}")
        if not _fits_shift(session, clinician_id, starts_at, ends_at):
            raise InvalidBooking("that time is outside the clinician's shift")
        return [clinician_id]
    working = [c for c in eligible if _fits_shift(session, c, starts_at, ends_at)]
    if not working:
        raise InvalidBooking(f"no one does {appointment_type.name} at that time")
    # Continuity of care: the patient's own clinician first when they can.
    working.sort(key=lambda c: c != patient.primary_clinician_id)
    return working


def _eligible_ids(session: Session, appointment_type: AppointmentType) -> list[int]:
    return [s.id for s in eligible_clinicians(session, appointment_type)]


def _fits_shift(
    session: Session, clinician_id: int, starts_at: datetime, ends_at: datetime
) -> bool:
    found = session.scalar(
        select(ClinicianShift.id)
        .where(
            ClinicianShift.staff_id == clinician_id,
            ClinicianShift.starts_at <= starts_at,
            ClinicianShift.ends_at >= ends_at,
        )
        .limit(1)
    )
    return found is not None


def _copy(
    old: Appointment,
    clinician_id: int,
    starts_at: datetime,
    ends_at: datetime,
    idempotency_key: str,
    now: datetime,
) -> Appointment:
    return Appointment(
        practice_id=old.practice_id,
        patient_id=old.patient_id,
        appointment_type_id=old.appointment_type_id,
        clinician_id=clinician_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status="booked",
        idempotency_key=idempotency_key,
        rescheduled_from_id=old.id,
        protocol_series_id=old.protocol_series_id,
        protocol_step=old.protocol_step,
        drug=old.drug,
        created_at=now,
    )


def _series_treatments(session: Session, series_id: int) -> list[Appointment]:
    return list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.protocol_series_id == series_id,
                Appointment.drug.is_not(None),
                Appointment.status.in_(("booked", "completed")),
            )
            .order_by(Appointment.protocol_step)
        )
    )


def _check_spacing(session: Session, *, appointment: Appointment, starts_at: datetime) -> None:
    series = session.get_one(ProtocolSeries, appointment.protocol_series_id)
    protocol = load_protocol(series.protocol_code)
    zone = _practice_zone(session, appointment.practice_id)
    new_day = starts_at.astimezone(zone).date()
    step = appointment.protocol_step or 0
    for other in _series_treatments(session, series.id):
        if other.id == appointment.id:
            continue
        gap = abs((other.starts_at.astimezone(zone).date() - new_day).days)
        if gap < protocol.min_days_between_treatments:
            which = "previous" if (other.protocol_step or 0) < step else "next"
            raise SpacingViolation(
                f"week {step} would be {gap} days from the {which} treatment (week "
                f"{other.protocol_step}); {protocol.name} needs at least "
                f"{protocol.min_days_between_treatments} days between treatments"
            )


def _same_day_cbc(session: Session, treatment: Appointment) -> Appointment | None:
    zone = _practice_zone(session, treatment.practice_id)
    day = treatment.starts_at.astimezone(zone).date()
    for visit in session.scalars(
        select(Appointment).where(
            Appointment.protocol_series_id == treatment.protocol_series_id,
            Appointment.protocol_step == treatment.protocol_step,
            Appointment.drug.is_(None),
            Appointment.status == "booked",
        )
    ):
        if visit.starts_at.astimezone(zone).date() == day:
            return visit
    return None


def _move_cbc(
    session: Session,
    *,
    cbc: Appointment,
    treatment: Appointment,
    lead: timedelta,
    key: str,
    now: datetime,
) -> None:
    """Keep the CBC's lead over the treatment when a nurse is free then, else the latest free
    time that day ending before the treatment."""
    kind = session.get_one(AppointmentType, cbc.appointment_type_id)
    zone = _practice_zone(session, cbc.practice_id)
    wanted = treatment.starts_at - lead
    day_start = datetime.combine(
        treatment.starts_at.astimezone(zone).date(), datetime.min.time(), tzinfo=zone
    )
    free = SlotFinder().free_slots(
        session, appointment_type=kind, earliest=day_start, latest=treatment.starts_at, now=now
    )
    duration = timedelta(minutes=kind.duration_minutes)
    fitting = [o for o in free if o.starts_at + duration <= treatment.starts_at]
    exact = [o for o in fitting if o.starts_at == wanted]
    choices = exact or sorted(fitting, key=lambda o: o.starts_at, reverse=True)
    for offer in choices:
        moved = _copy(
            cbc,
            offer.clinician_id,
            offer.starts_at,
            offer.starts_at + duration,
            f"{key}-cbc",
            now,
        )
        if _insert_holding_time(session, moved):
            return
    raise SlotTaken("no nurse is free for the CBC before the treatment that day")


def _practice_zone(session: Session, practice_id: int) -> ZoneInfo:
    return ZoneInfo(session.get_one(Practice, practice_id).timezone)

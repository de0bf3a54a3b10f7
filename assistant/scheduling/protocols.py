"""Booking a patient's whole treatment series from its protocol (protocol_definitions.py)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AppointmentType, Patient, Practice, ProtocolSeries
from assistant.scheduling.availability import Offer, SlotFinder
from assistant.scheduling.booking import appointment_type_by_code, book
from assistant.scheduling.protocol_definitions import ProtocolError, load_protocol


def schedule_series(
    session: Session,
    *,
    patient: Patient,
    protocol_code: str,
    first_visit: datetime,
    created_by_id: int | None,
    now: datetime,
) -> ProtocolSeries:
    """Book every treatment of the protocol and a CBC before each, in the caller's transaction.

    Treatments fall on the weekday and local time of `first_visit`, week after week; when that
    time is taken, the nearest free time that day. Each CBC is with a nurse the same day, ending
    before the treatment (else the day before). ProtocolError lists every week that does not
    fit; the caller then rolls back, so nothing is half booked.
    """
    protocol = load_protocol(protocol_code)
    practice = session.get_one(Practice, patient.practice_id)
    if practice.kind != protocol.practice_kind:
        raise ProtocolError(f"{protocol.name} is for {protocol.practice_kind} practices")
    if first_visit <= now:
        raise ProtocolError("the first visit must be in the future")
    treatment_type = _appointment_type(session, practice.id, protocol.treatment_type)
    cbc_type = _appointment_type(session, practice.id, protocol.cbc_type)
    zone = ZoneInfo(practice.timezone)
    first_local = first_visit.astimezone(zone)

    series = ProtocolSeries(
        practice_id=practice.id,
        patient_id=patient.id,
        protocol_code=protocol.code,
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(series)
    session.flush()  # the id names the bookings' idempotency keys

    finder = SlotFinder()
    problems: list[str] = []
    for week, drug in protocol.treatments():
        day = first_local.date() + timedelta(weeks=week - 1)
        wanted = datetime.combine(day, first_local.time(), tzinfo=zone).astimezone(UTC)
        offer = _nearest(finder, session, treatment_type, day, wanted, zone, now)
        if offer is None:
            problems.append(f"week {week} ({day.isoformat()}): no {treatment_type.name} free")
            continue
        treatment = book(
            session,
            patient=patient,
            appointment_type=treatment_type,
            starts_at=offer.starts_at,
            clinician_id=offer.clinician_id,
            idempotency_key=f"series-{series.id}-step-{week}",
            now=now,
            drug=drug,
            protocol_series_id=series.id,
            protocol_step=week,
        )
        cbc = _cbc_before(finder, session, cbc_type, treatment.starts_at, zone, now)
        if cbc is None:
            problems.append(f"week {week} ({day.isoformat()}): no nurse free for the CBC")
            continue
        book(
            session,
            patient=patient,
            appointment_type=cbc_type,
            starts_at=cbc.starts_at,
            clinician_id=cbc.clinician_id,
            idempotency_key=f"series-{series.id}-cbc-{week}",
            now=now,
            protocol_series_id=series.id,
            protocol_step=week,
        )
    if problems:
        raise ProtocolError("could not schedule " + "; ".join(problems))
    return series


def series_visits(session: Session, series: ProtocolSeries) -> list[Appointment]:
    """The series' appointments in time order."""
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.protocol_series_id == series.id)
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )


def _appointment_type(session: Session, practice_id: int, code: str) -> AppointmentType:
    found = appointment_type_by_code(session, practice_id, code)
    if found is None:
        raise ProtocolError(f"this practice has no appointment type {code!r}")
    return found


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def _nearest(
    finder: SlotFinder,
    session: Session,
    kind: AppointmentType,
    day: date,
    wanted: datetime,
    zone: ZoneInfo,
    now: datetime,
) -> Offer | None:
    start, end = _day_bounds(day, zone)
    free = finder.free_slots(session, appointment_type=kind, earliest=start, latest=end, now=now)
    return min(free, key=lambda o: (abs(o.starts_at - wanted), o.starts_at), default=None)


def _cbc_before(
    finder: SlotFinder,
    session: Session,
    kind: AppointmentType,
    treatment_at: datetime,
    zone: ZoneInfo,
    now: datetime,
) -> Offer | None:
    """The latest nurse time ending by the treatment that day, else the latest the day before:
    the count is freshest when drawn just before the dose."""
    duration = timedelta(minutes=kind.duration_minutes)
    day = treatment_at.astimezone(zone).date()
    for candidate_day in (day, day - timedelta(days=1)):
        start, end = _day_bounds(candidate_day, zone)
        free = finder.free_slots(
            session, appointment_type=kind, earliest=start, latest=min(end, treatment_at), now=now
        )
        fitting = [o for o in free if o.starts_at + duration <= treatment_at]
        if fitting:
            return max(fitting, key=lambda o: (o.starts_at, -o.clinician_id))
    return None

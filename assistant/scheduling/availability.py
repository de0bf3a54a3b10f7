"""Free times to offer: clinicians' shifts, minus the time their bookings already hold."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    AppointmentTimeClaim,
    AppointmentType,
    ClinicianShift,
    Practice,
    StaffUser,
)
from assistant.scheduling.claims import cells
from assistant.scheduling.preferences import TimePreference

GRID = timedelta(minutes=15)
# Clients are offered nothing sooner: the practice needs time to prepare (drugs, a room).
CLIENT_LEAD = timedelta(hours=2)
HORIZON = timedelta(days=60)
# When the same day must hold two offers, they are at least this far apart to be a real choice.
MIN_SPREAD = timedelta(minutes=90)


@dataclass(frozen=True)
class Offer:
    starts_at: datetime  # UTC
    clinician_id: int
    clinician_name: str


class SlotFinder:
    """Finds start times at which an appointment type fits a clinician's shift and free time."""

    def offers(
        self,
        session: Session,
        *,
        appointment_type: AppointmentType,
        preference: TimePreference | None,
        now: datetime,
        count: int = 3,
    ) -> list[Offer]:
        """Up to `count` free times, soonest first, spread over different days where the
        window allows and otherwise at least 90 minutes apart; [] when nothing is free."""
        earliest = now + CLIENT_LEAD
        latest = now + HORIZON
        if preference is not None:
            earliest = max(earliest, preference.earliest)
            latest = min(latest, preference.latest)
        free = self.free_slots(
            session, appointment_type=appointment_type, earliest=earliest, latest=latest, now=now
        )
        if preference is not None:
            zone = _zone(session, appointment_type)
            free = [o for o in free if _within_day_part(o.starts_at, preference, zone)]
        return _spread(free, count=count, zone=_zone(session, appointment_type))

    def first_free(
        self, session: Session, *, appointment_type: AppointmentType, after: datetime, now: datetime
    ) -> Offer | None:
        """The soonest free time from `after` (no client lead time: this is for staff-side
        bookings such as a nurse calling back), or None within the 60-day horizon."""
        earliest = max(after, now)
        free = self.free_slots(
            session,
            appointment_type=appointment_type,
            earliest=earliest,
            latest=earliest + HORIZON,
            now=now,
        )
        return free[0] if free else None

    def free_slots(
        self,
        session: Session,
        *,
        appointment_type: AppointmentType,
        earliest: datetime,
        latest: datetime,
        now: datetime,
        clinician_ids: Iterable[int] | None = None,
    ) -> list[Offer]:
        """Every free (start, clinician) with start in [earliest, latest) and not before `now`,
        on the practice's local 15-minute grid, soonest first."""
        earliest = max(earliest, now)
        duration = timedelta(minutes=appointment_type.duration_minutes)
        zone = _zone(session, appointment_type)
        staff = {s.id: s for s in eligible_clinicians(session, appointment_type)}
        if clinician_ids is not None:
            wanted = set(clinician_ids)
            staff = {i: s for i, s in staff.items() if i in wanted}
        if not staff or earliest >= latest:
            return []
        shifts = session.scalars(
            select(ClinicianShift)
            .where(
                ClinicianShift.staff_id.in_(staff),
                ClinicianShift.ends_at > earliest,
                ClinicianShift.starts_at < latest + duration,
            )
            .order_by(ClinicianShift.starts_at)
        ).all()
        taken = _taken_cells(session, staff_ids=list(staff), earliest=earliest, latest=latest)
        found: list[Offer] = []
        for shift in shifts:
            start = _next_on_grid(max(shift.starts_at, earliest), zone)
            while start < latest and start + duration <= shift.ends_at:
                cells_needed = cells(start, start + duration)
                if not any((shift.staff_id, c) in taken for c in cells_needed):
                    found.append(Offer(start, shift.staff_id, staff[shift.staff_id].name))
                start += GRID
        found.sort(key=lambda o: (o.starts_at, o.clinician_id))
        return found


def eligible_clinicians(session: Session, appointment_type: AppointmentType) -> list[StaffUser]:
    """Active staff of the type's practice whose role may do it, by id."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.practice_id == appointment_type.practice_id,
                StaffUser.role.in_(list(appointment_type.clinician_roles)),
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.id)
        )
    )


def _zone(session: Session, appointment_type: AppointmentType) -> ZoneInfo:
    practice = session.get_one(Practice, appointment_type.practice_id)
    return ZoneInfo(practice.timezone)


def _taken_cells(
    session: Session, *, staff_ids: list[int], earliest: datetime, latest: datetime
) -> set[tuple[int, datetime]]:
    # A day either side covers appointments that start before the window and run into it.
    rows = session.execute(
        select(AppointmentTimeClaim.clinician_id, AppointmentTimeClaim.starts_at).where(
            AppointmentTimeClaim.clinician_id.in_(staff_ids),
            AppointmentTimeClaim.starts_at >= earliest - timedelta(days=1),
            AppointmentTimeClaim.starts_at < latest + timedelta(days=1),
        )
    ).all()
    return {(clinician_id, starts_at.astimezone(UTC)) for clinician_id, starts_at in rows}


def _next_on_grid(moment: datetime, zone: ZoneInfo) -> datetime:
    """The first local quarter hour at or after `moment`, in UTC."""
    local = moment.astimezone(zone)
    floored = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    if floored < local:
        floored += GRID
    return floored.astimezone(UTC)


def _within_day_part(starts_at: datetime, preference: TimePreference, zone: ZoneInfo) -> bool:
    """ "after 3" means starting at 3 or later; "morning" means starting before noon."""
    local: time = starts_at.astimezone(zone).time()
    if preference.after_local is not None and local < preference.after_local:
        return False
    return preference.before_local is None or local < preference.before_local


def _spread(free: list[Offer], *, count: int, zone: ZoneInfo) -> list[Offer]:
    """The soonest free time, then the soonest on each other day; when the days run out,
    the soonest times at least MIN_SPREAD from every one already chosen."""
    chosen: list[Offer] = []
    days: set[object] = set()
    for offer in free:
        if len(chosen) == count:
            break
        day = offer.starts_at.astimezone(zone).date()
        if day not in days:
            chosen.append(offer)
            days.add(day)
    for offer in free:
        if len(chosen) == count:
            break
        if all(abs(offer.starts_at - c.starts_at) >= MIN_SPREAD for c in chosen):
            chosen.append(offer)
    return sorted(chosen, key=lambda o: o.starts_at)

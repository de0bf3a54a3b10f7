"""Dated clinician shifts and on-call turns from a practice's weekly pattern and rota.

Booking and paging read dated rows (`clinician_shift`, `on_call_shift`); a practice file
gives a weekly pattern. These functions turn one into the other for the coming
`HORIZON_DAYS`, and the api extends them day after day, so a practice never runs out of
bookable time or of someone to page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import ClinicianShift, OnCallShift, Practice, StaffUser
from assistant.practices.setup_file import WEEKDAYS

HORIZON_DAYS = 30


@dataclass(frozen=True, order=True)
class ShiftBlock:
    starts_at: datetime
    ends_at: datetime
    staff_id: int


@dataclass(frozen=True, order=True)
class OnCallBlock:
    starts_at: datetime
    ends_at: datetime
    staff_id: int
    backup_staff_id: int | None


def local_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `hhmm` on `day` in `zone` (the offset follows DST)."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone).astimezone(UTC)


def planned_shifts(
    pattern: Iterable[dict[str, Any]],
    staff_ids: dict[str, int],
    zone: ZoneInfo,
    days: Iterable[date],
) -> set[ShiftBlock]:
    """Each weekly shift on each of `days` it falls on; `staff_ids` maps e-mail to id. A
    person no longer on the staff (e-mail changed, account moved) has no shifts."""
    blocks: set[ShiftBlock] = set()
    for day in days:
        weekday = WEEKDAYS[day.weekday()]
        for shift in pattern:
            if weekday in shift["days"] and shift["staff"].lower() in staff_ids:
                start, end = (local_instant(day, hhmm, zone) for hhmm in shift["hours"])
                blocks.add(ShiftBlock(start, end, staff_ids[shift["staff"].lower()]))
    return blocks


def planned_on_call(
    rota: dict[str, Any], staff_ids: dict[str, int], zone: ZoneInfo, days: Iterable[date]
) -> set[OnCallBlock]:
    """The 24-hour turn starting at handover on each of `days`, in rotation from the rota's
    `starts_on` day, so the order does not move when the rota is applied again."""
    first = date.fromisoformat(rota["starts_on"])
    turns = rota["rotation"]
    blocks: set[OnCallBlock] = set()
    for day in days:
        turn = turns[(day - first).days % len(turns)]
        backup = turn.get("backup")
        if turn["staff"].lower() not in staff_ids:
            continue  # no longer on the staff; the practice file says who instead
        blocks.add(
            OnCallBlock(
                local_instant(day, rota["handover"], zone),
                local_instant(day + timedelta(days=1), rota["handover"], zone),
                staff_ids[turn["staff"].lower()],
                staff_ids.get(backup.lower()) if backup else None,
            )
        )
    return blocks


def coming_days(practice: Practice, now: datetime) -> list[date]:
    """From yesterday (its on-call turn may still run) to the end of the horizon, local."""
    today = now.astimezone(ZoneInfo(practice.timezone)).date()
    return [today + timedelta(days=offset) for offset in range(-1, HORIZON_DAYS)]


def staff_ids_by_email(session: Session, practice: Practice) -> dict[str, int]:
    rows = session.execute(
        select(StaffUser.email, StaffUser.id).where(StaffUser.practice_id == practice.id)
    )
    return {email.lower(): staff_id for email, staff_id in rows}


def existing_shifts(session: Session, practice: Practice, now: datetime) -> dict[ShiftBlock, int]:
    """Shifts of the practice's staff not yet over, by block, with their row ids."""
    rows = session.execute(
        select(ClinicianShift)
        .join(StaffUser, StaffUser.id == ClinicianShift.staff_id)
        .where(StaffUser.practice_id == practice.id, ClinicianShift.ends_at > now)
    ).scalars()
    return {ShiftBlock(r.starts_at, r.ends_at, r.staff_id): r.id for r in rows}


def existing_on_call(session: Session, practice: Practice, now: datetime) -> dict[OnCallBlock, int]:
    rows = session.scalars(
        select(OnCallShift).where(OnCallShift.practice_id == practice.id, OnCallShift.ends_at > now)
    )
    return {OnCallBlock(r.starts_at, r.ends_at, r.staff_id, r.backup_staff_id): r.id for r in rows}


def extend_schedules(session: Session, now: datetime) -> dict[str, int]:
    """Add the shifts and on-call turns each practice's pattern gives for the coming
    `HORIZON_DAYS` and that are not there yet; never removes one (only the practice file
    does, after checking no visit depends on it). Per practice slug, the rows added."""
    added: dict[str, int] = {}
    for practice in session.scalars(select(Practice)):
        if practice.weekly_shifts is None and practice.on_call_rota is None:
            continue
        zone = ZoneInfo(practice.timezone)
        days = coming_days(practice, now)
        staff_ids = staff_ids_by_email(session, practice)
        count = 0
        if practice.weekly_shifts is not None:
            have = existing_shifts(session, practice, now)
            for block in planned_shifts(practice.weekly_shifts, staff_ids, zone, days):
                if block.ends_at > now and block not in have:
                    session.add(shift_row(block))
                    count += 1
        if practice.on_call_rota is not None:
            taken = {(b.starts_at, b.ends_at) for b in existing_on_call(session, practice, now)}
            for turn in planned_on_call(practice.on_call_rota, staff_ids, zone, days):
                if turn.ends_at > now and (turn.starts_at, turn.ends_at) not in taken:
                    session.add(on_call_row(practice, turn))
                    count += 1
        if count:
            added[practice.slug] = count
    session.flush()
    return added


def shift_row(block: ShiftBlock) -> ClinicianShift:
    return ClinicianShift(staff_id=block.staff_id, starts_at=block.starts_at, ends_at=block.ends_at)


def on_call_row(practice: Practice, turn: OnCallBlock) -> OnCallShift:
    return OnCallShift(
        practice_id=practice.id,
        staff_id=turn.staff_id,
        backup_staff_id=turn.backup_staff_id,
        starts_at=turn.starts_at,
        ends_at=turn.ends_at,
    )

"""Business hours in the practice's own timezone."""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _windows(business_hours: dict[str, Any], day_key: str) -> list[tuple[time, time]]:
    return [
        (time.fromisoformat(start), time.fromisoformat(end))
        for start, end in business_hours.get(day_key, [])
    ]


def is_open(business_hours: dict[str, Any], timezone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(timezone))
    return any(
        start <= local.time() < end
        for start, end in _windows(business_hours, DAY_KEYS[local.weekday()])
    )


def close_of_next_business_day(
    business_hours: dict[str, Any], timezone: str, after: datetime
) -> datetime:
    """Closing time of the first business day that starts after `after`'s local date.

    A routine question sent on Monday, at any hour, is due by Tuesday's close.
    """
    zone = ZoneInfo(timezone)
    local_date = after.astimezone(zone).date()
    for offset in range(1, 15):
        day = local_date + timedelta(days=offset)
        windows = _windows(business_hours, DAY_KEYS[day.weekday()])
        if windows:
            closing = max(end for _, end in windows)
            return datetime.combine(day, closing, tzinfo=zone).astimezone(UTC)
    raise ValueError("practice has no business hours in the next two weeks")


def describe(business_hours: dict[str, Any]) -> str:
    """Plain summary for templates, e.g. 'Mon-Fri 8am-6pm, Sat 8am-12pm'."""
    groups: list[tuple[list[str], str]] = []
    for key in DAY_KEYS:
        windows = _windows(business_hours, key)
        if not windows:
            continue
        label = ", ".join(f"{_clock(start)}-{_clock(end)}" for start, end in windows)
        if (
            groups
            and groups[-1][1] == label
            and DAY_KEYS.index(groups[-1][0][-1]) + 1 == DAY_KEYS.index(key)
        ):
            groups[-1][0].append(key)
        else:
            groups.append(([key], label))
    parts = []
    for days, label in groups:
        span = days[0].title() if len(days) == 1 else f"{days[0].title()}-{days[-1].title()}"
        parts.append(f"{span} {label}")
    return ", ".join(parts)


def _clock(value: time) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"

"""Reading one cell: phone numbers to E.164 (phonenumbers), dates and times in the practice's
timezone, yes and no. Each raises BadValue with the reason a person can act on."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from assistant.phone_numbers import NotAPhoneNumber, region_of, to_e164

YES = frozenset({"y", "yes", "true", "1", "opted in", "opt in"})
NO = frozenset({"n", "no", "false", "0", "opted out", "opt out"})


class BadValue(ValueError):
    """A cell that cannot be read; the message says which value and why."""


def phone_e164(text: str, *, country: str) -> str:
    """`(312) 555-0142` -> `+13125550142` for a practice in `country` (two letters)."""
    try:
        return to_e164(text, region=country)
    except NotAPhoneNumber as exc:
        raise BadValue(f"bad phone number {text!r}: not a valid number in {country}") from exc


def practice_country(practice_phone: str) -> str:
    """The region of the practice's own phone number (US for +1 312 ...)."""
    return region_of(practice_phone)


def calendar_date(text: str, formats: Sequence[str]) -> date:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BadValue(f"{text!r} is not a date (expected {_shown(formats)})")


def clock_time(text: str, formats: Sequence[str]) -> time:
    for fmt in formats:
        try:
            return datetime.strptime(text.upper(), fmt).time()
        except ValueError:
            continue
    raise BadValue(f"{text!r} is not a time of day (expected {_shown(formats)})")


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time at the practice, in UTC."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def yes_or_no(text: str) -> bool:
    word = text.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadValue(f"{text!r} is neither yes nor no (Y or N)")


def _shown(formats: Sequence[str]) -> str:
    examples = {"%Y-%m-%d": "2026-12-15", "%m/%d/%Y": "12/15/2026", "%H:%M": "16:00"}
    return " or ".join(examples.get(f, f) for f in formats[:3])

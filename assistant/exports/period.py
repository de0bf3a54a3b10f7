"""The stretch of time an export covers, in the practice's own days, and its limits."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.errors import Invalid

# A practice-wide export covers at most this many days: a quarter is what a practice files at
# once, and it keeps one answer small enough to build in memory.
MAX_PRACTICE_PERIOD_DAYS = 92
# One patient's record may span longer: a year of treatment.
MAX_PATIENT_PERIOD_DAYS = 366


class BadPeriod(Invalid):
    """The period asked for cannot be exported; the message says why."""


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last` (both included), in the practice's time."""

    first: date
    last: date
    timezone: ZoneInfo

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=self.timezone)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=self.timezone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def period(first: date, last: date, *, timezone: str, max_days: int) -> Period:
    """The period from `first` to `last`, refused when backwards or longer than `max_days`."""
    if last < first:
        raise BadPeriod(f"the period ends ({last}) before it starts ({first})")
    chosen = Period(first, last, ZoneInfo(timezone))
    if chosen.days > max_days:
        raise BadPeriod(
            f"a period of {chosen.days} days is too long: export at most {max_days} days at once"
        )
    return chosen

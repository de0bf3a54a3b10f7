"""What a client texts about when they would like to come, read as a window of time.

Typos and shorthand a texter uses ("tmrw", "tues", "thurs") are normalised first; day parts
("morning", "after 3", "before noon") are read with rules; the days themselves with `dateparser`.
"""

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

ASAP_DAYS = 14
NOON = time(12)
EVENING = time(17)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_SHORTHAND = {
    r"tmrw|tmr|tmrow|tmw|tomorow|tommorow|tommorrow|tomorrw|2morrow|2moro|2mrw": "tomorrow",
    r"tonite|tonight": "today evening",
    r"this morning": "today morning",
    r"this afternoon": "today afternoon",
    r"this evening": "today evening",
    r"mon": "monday",
    r"tu|tue|tues": "tuesday",
    r"wed|weds|wednes": "wednesday",
    r"th|thu|thur|thurs": "thursday",
    r"fri": "friday",
    r"sat": "saturday",
    r"sun": "sunday",
    r"nxt": "next",
    r"wk": "week",
    r"wks": "weeks",
    r"aft|arvo|afternoons": "afternoon",
    r"mornings|morn|am-ish": "morning",
    r"evenings|eve": "evening",
    r"noon|midday": "12pm",
    r"a\.m\.": "am",
    r"p\.m\.": "pm",
}
_ASAP = re.compile(
    r"\b(asap|a\.s\.a\.p|soonest|earliest|as soon as|first available|next available|any ?time|"
    r"whenever|any day|anyday)\b"
)
_NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
_PAST_MARKERS = re.compile(r"\b(yesterday|last|ago|earlier today|this morning was)\b")


@dataclass(frozen=True)
class TimePreference:
    earliest: datetime  # UTC, inclusive
    latest: datetime  # UTC, exclusive
    after_local: time | None = None  # "after 3", "afternoon" -> 12:00
    before_local: time | None = None  # "before noon", "morning" -> 12:00
    text: str = ""  # what it was read from, for logs


class PastDate(Exception):
    """The text names a day or time that has already gone by."""


def read_preference(
    text: str, *, hints: Sequence[str], timezone: ZoneInfo, now: datetime
) -> TimePreference | None:
    """The window `text` asks for, or None when it names no time at all.

    `hints` are the DATE/TIME entity texts Rasa found; they are read first, then the whole
    text. A day without a year is the next such day; an explicit past day raises PastDate.
    """
    local_now = now.astimezone(timezone)
    whole = normalise(text)
    after, before, dateless = _day_part(whole)
    days: list[date] | None = None
    for source in [*(normalise(h) for h in hints if h.strip()), dateless]:
        days = _days(_day_part(source)[2], local_now)
        if days:
            break
    if days:
        start = _local_midnight(min(days), timezone)
        end = _local_midnight(max(days) + timedelta(days=1), timezone)
    elif _ASAP.search(whole) or after is not None or before is not None:
        # Only a time of day, or "asap": the next two weeks.
        start, end = now, now + timedelta(days=ASAP_DAYS)
    else:
        return None
    last_moment = end
    if before is not None:
        last_moment = min(end, datetime.combine(max(days or [local_now.date()]), before, timezone))
    if last_moment <= now:
        raise PastDate(text)
    return TimePreference(
        earliest=max(start, now).astimezone(UTC),
        latest=end.astimezone(UTC),
        after_local=after,
        before_local=before,
        text=text,
    )


def chosen_offer(text: str, *, offers: int, times: Sequence[time] = ()) -> int | None:
    """Which of the `offers` numbered times the client picked (0-based), or None.

    "2", "#2", "option 3", "the second one", "last one", "the 10am one" (with `times`, the
    offers' local start times). A date ("dec 2", "the 2nd of december") is not a choice.
    """
    said = normalise(text)
    if re.search(r"\b(none|neither|nothing|not|don'?t|can'?t|cannot|other)\b", said):
        return None
    if re.search(rf"\b{_MONTH}(\s|\d|$)", said) and not re.search(r"\bmay (be|i|we)\b", said):
        return None
    if re.search(r"\d\s*/\s*\d|\bof (the )?month\b", said):
        return None
    pick: int | None = None
    if re.search(r"\b(last|final)\b( one| option| time)?", said):
        pick = offers
    elif found := re.search(r"(?:#|\b(?:option|number|choice|no\.?)\s*#?)\s*(\d{1,2})\b", said):
        pick = int(found.group(1))
    elif found := re.search(
        r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b(?!\s+(of|week|day|thing))",
        said,
    ):
        pick = _ORDINALS[found.group(1)]
    elif times and (
        found := re.search(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\b(\d{1,2}):(\d{2})\b", said)
    ):
        return _pick_by_time(found, times)
    elif not _NAMES_A_TIME.search(said) and (
        found := re.fullmatch(
            r"\D*?\b(\d{1,2})\b(?!\s*(?:am|pm)\b|\s*[:/.]\d|\s*(?:week|day|month|hour|min)s?\b)\D*",
            said,
        )
    ):
        pick = int(found.group(1))
    if pick is None or not 1 <= pick <= offers:
        return None
    return pick - 1


# A bare number next to these words is a time or a day ("friday after 3"), not a choice.
_NAMES_A_TIME = re.compile(
    r"\b(after|before|at|around|by|until|till|from|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|today|tomorrow|tonight|morning|afternoon|evening|noon|next|this)\b"
)

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5,
}  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, single spaces, and texting shorthand and typos spelled out."""
    said = " ".join(text.lower().replace("’", "'").split())
    for pattern, full in _SHORTHAND.items():
        said = re.sub(rf"(?<![\w'])(?:{pattern})(?![\w'])", full, said)
    return " ".join(_fix_weekday(word) for word in said.split(" "))


def _fix_weekday(word: str) -> str:
    """ "tuesdy", "wendsday", "thrusday": close enough to one weekday is that weekday."""
    bare = word.strip(".,!?")
    if len(bare) < 5 or not bare.isalpha() or bare in WEEKDAYS:
        return word
    close = difflib.get_close_matches(bare, WEEKDAYS, n=1, cutoff=0.8)
    return word.replace(bare, close[0]) if close else word


def _clock(hour: str, minute: str | None, meridiem: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if meridiem == "pm" and h < 12:
        h += 12
    elif meridiem == "am" and h == 12:
        h = 0
    elif meridiem is None and 1 <= h <= 7:
        h += 12  # "after 3" in a clinic means the afternoon
    return time(h, m) if 0 <= h < 24 and 0 <= m < 60 else None


def _day_part(said: str) -> tuple[time | None, time | None, str]:
    """(after, before, the text without them): "after 3", "before noon", "morning"..."""
    after: time | None = None
    before: time | None = None
    rest = said
    if found := re.search(rf"\b(after|from|past|later than)\s+{_CLOCK}\b", rest):
        after = _clock(found.group(2), found.group(3), found.group(4))
        rest = rest.replace(found.group(0), " ")
    if found := re.search(rf"\b(before|by|until|till|earlier than)\s+{_CLOCK}\b", rest):
        before = _clock(found.group(2), found.group(3), found.group(4))
        rest = rest.replace(found.group(0), " ")
    if found := re.search(
        rf"\b(?:at|around|about)\s+{_CLOCK}\b|\b(\d{{1,2}})(?::(\d{{2}}))?\s*(am|pm)\b", rest
    ):
        groups = found.groups()
        hour, minute, meridiem = groups[0:3] if groups[0] else groups[3:6]
        at = _clock(hour, minute, meridiem)
        if at is not None:
            # A named hour is an hour's window from it: "friday at 3" fits 3:00 to 3:45.
            after = at
            before = (datetime.combine(date.min, at) + timedelta(hours=1)).time()
        rest = rest.replace(found.group(0), " ")
    if re.search(r"\bmorning\b", rest):
        before = before or NOON
    elif re.search(r"\bafternoon\b", rest):
        after = after or NOON
    elif re.search(r"\bevening\b", rest):
        after = after or EVENING
    rest = re.sub(r"\b(morning|afternoon|evening|anything|any time|anytime)\b", " ", rest)
    return after, before, " ".join(rest.split())


def _days(said: str, local_now: datetime) -> list[date]:
    """The local days `said` names (several for "monday or tuesday", a week for "next week")."""
    today = local_now.date()
    if not said:
        return []
    if re.search(r"\bnext week\b", said):
        monday = today + timedelta(days=7 - today.weekday())
        return [monday, monday + timedelta(days=6)]
    if re.search(r"\bthis week\b", said):
        return [today, today + timedelta(days=6 - today.weekday())]
    if re.search(r"\b(this |the )?weekend\b", said):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return [saturday, saturday + timedelta(days=1)]
    if found := re.search(r"\bin (\d+|a|one|two|three|four|five|six) (day|week)s?\b", said):
        n = _NUMBER_WORDS.get(found.group(1)) or int(found.group(1))
        if found.group(2) == "day":
            return [today + timedelta(days=n)]
        monday = today + timedelta(weeks=n) - timedelta(days=today.weekday())
        return [monday, monday + timedelta(days=6)]
    pieces = [p for p in re.split(r"\s*(?:\bor\b|\band\b|,|;| - |\bthen\b)\s*", said) if p]
    found_days = [d for p in pieces if (d := _one_day(p, local_now)) is not None]
    if not found_days and len(pieces) > 1:
        found_days = [d for d in [_one_day(said, local_now)] if d is not None]
    return found_days


def _one_day(piece: str, local_now: datetime) -> date | None:
    """One day named in `piece`, by dateparser, rolled forward when no year was given."""
    today = local_now.date()
    phrase = _date_phrase(piece)
    if phrase is None:
        return None
    if found := re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)", phrase):
        return _next_day_of_month(int(found.group(1)), today)
    explicit_past = bool(_PAST_MARKERS.search(phrase))
    has_year = bool(re.search(r"\b\d{4}\b|\d{1,2}/\d{1,2}/\d{2}", phrase))
    settings = {
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past" if explicit_past else "future",
    }
    parsed: datetime | None = dateparser.parse(phrase, languages=["en"], settings=settings)
    if parsed is None:
        return None
    day: date = parsed.date()
    if day < today and not (explicit_past or has_year):
        try:
            day = day.replace(year=day.year + 1)  # no year given: the next such day
        except ValueError:  # 29 February
            return None
    if day < today:
        raise PastDate(piece)
    return day


def _date_phrase(piece: str) -> str | None:
    """The part of `piece` that names a day, or None: keeps dateparser off words like "may I"."""
    weekday = "|".join(WEEKDAYS)
    patterns = (
        rf"\b(?:(?:next|this|last|coming|on)\s+)?(?:{weekday})\b",
        r"\b(?:day after tomorrow|today|tomorrow|yesterday)\b",
        rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?",
        r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
        r"\b(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b",
        r"\b\d{4}-\d{2}-\d{2}\b",
    )
    for pattern in patterns:
        if found := re.search(pattern, piece):
            return found.group(0).replace("coming ", "next ").replace("on ", "")
    return None


def _next_day_of_month(n: int, today: date) -> date | None:
    """ "the 14th": this month's if still to come, else the next month that has one."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            day = date(year, month, n)
        except ValueError:
            day = None
        if day is not None and day >= today:
            return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _pick_by_time(found: re.Match[str], times: Sequence[time]) -> int | None:
    if found.group(1):
        wanted = _clock(found.group(1), found.group(2), found.group(3))
    else:
        wanted = _clock(found.group(4), found.group(5), None)
    matches = [i for i, t in enumerate(times) if wanted is not None and t == wanted]
    return matches[0] if len(matches) == 1 else None

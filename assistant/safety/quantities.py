"""Numbers in a client's words: temperature readings, how many times, and for how long.

Lay texts say "vomited 5 times", "x5", "since yesterday", "for 2 days", "104 degrees" or just
"103.4". When a phrase is ambiguous these readers choose the reading that triages higher, as
CLINICAL.md asks ("when unsure, choose the more severe").
"""

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "couple": 2,
    "couple of": 2,
    "a couple": 2,
    "a couple of": 2,
    "few": 3,
    "a few": 3,
    "several": 4,
    "multiple": 4,
    "many": 6,
    "dozen": 12,
    "a dozen": 12,
}
_NUM = (
    r"(?P<n>\d+(?:\.\d+)?|a couple of|a couple|couple of|couple|a few|few|a dozen|dozen|an|a|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|several|"
    r"multiple|many)"
)

# "5 times", "5x", "x5", "twice", "several times", "the 5th time".
_TIMES = re.compile(
    rf"\b{_NUM}\s*(?:\+\s*)?(?:or\s+(?P<n2>\d+|\w+)\s+)?(?:times|time|x)\b"
    r"|\bx\s*(?P<x>\d+)\b"
    r"|\b(?P<ord>\d+)(?:st|nd|rd|th)\s+time\b"
    r"|\b(?P<word>once|twice|thrice)\b"
    r"|\b(?P<many>lots of times|a lot of times|a bunch of times|tons of times|so many times"
    r"|countless times|like a million times|a million times|over and over|again and again"
    r"|nonstop|non-stop|non stop|constantly|repeatedly|continuously"
    r"|every hour|every few (?:minutes|hours|mins)"
    r"|every \d+\s*(?:minutes|mins|hours|hrs))\b",
    re.IGNORECASE,
)

_UNIT_HOURS = {
    "h": 1.0,
    "hr": 1.0,
    "hrs": 1.0,
    "hour": 1.0,
    "hours": 1.0,
    "d": 24.0,
    "day": 24.0,
    "days": 24.0,
    "night": 24.0,
    "nights": 24.0,
    "wk": 168.0,
    "wks": 168.0,
    "week": 168.0,
    "weeks": 168.0,
    "month": 720.0,
    "months": 720.0,
}
_WEEKDAYS = r"(?:mon|tues|tue|wednes|wed|thurs|thu|fri|satur|sat|sun)(?:day)?"

# "for 2 days", "2days", "36 hrs", "a day and a half"; not "2 days ago" or "3 days after chemo".
_DURATION = re.compile(
    rf"(?P<lead>\b(?:started|began|starting|since|from)\s+(?:\w+\s+){{0,2}})?\b{_NUM}"
    r"(?:\s*(?P<unit>hours|hour|hrs|hr|days|day|nights|night|weeks|week|wks|wk|months|month)"
    r"|(?<=\d)\s*(?P<short>h|d))\b"
    r"(?P<half>\s+and\s+a\s+half)?(?P<tail>\s+(?:ago|after|before|later|from now|post))?",
    re.IGNORECASE,
)
_RATE_BEFORE = re.compile(r"\b(?:times?|twice|once|thrice|x|per|\d+x)\s*$", re.IGNORECASE)
# Phrases with a fixed length; "since yesterday" and "since last night" count as a day, as the
# clinic asked ("throwing up since yesterday" is urgent).
_FIXED_DURATIONS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.IGNORECASE), h)
    for p, h in (
        (r"\bsince\s+(?:the\s+)?day\s+before\s+yesterday\b", 48.0),
        (rf"\bsince\s+(?:last\s+)?{_WEEKDAYS}\b", 48.0),
        (r"\bsince\s+(?:the\s+)?weekend\b|\ball\s+weekend\b", 48.0),
        (r"\bsince\s+last\s+(?:week|month)\b|\bfor\s+(?:days|weeks|ages)\b", 48.0),
        (
            # "since the surgery", also with what it was on: "since her leg surgery".
            r"\bsince\s+(?:his|her|its|my|the|their)?\s*(?:last\s+)?(?:[a-z]+\s+)?"
            r"(?:chemo|chemotherapy|treatment|surgery|operation|dose|infusion|appointment|visit|procedure)\b",
            48.0,
        ),
        (r"\bsince\s+(?:yesterday|last\s+night|last\s+evening)\b", 24.0),
        # "since we brought him home yesterday morning": the same day, told with what happened.
        (r"\bsince\s+(?:[a-z']+\s+){1,8}?(?:yesterday|last\s+night|last\s+evening)\b", 24.0),
        (
            r"\b(?:yesterday|last\s+night)\s*(?:and|or|&|\+|n|nor)\s*(?:today|this\s+morning)\b",
            24.0,
        ),
        (r"\ball\s+(?:day|night)\b|\bday\s+and\s+night\b|\bsince\s+then\b", 24.0),
        (
            r"\b(?:over|more\s+than|past|longer\s+than)\s+a\s+(?:full\s+|whole\s+|entire\s+)?day\b",
            24.0,
        ),
        (r"\bovernight\b|\bsince\s+(?:this\s+)?morning\b", 12.0),
    )
)

# Numbers with their unit; the unit is optional (a bare number is read by its range).
_READING = re.compile(
    r"(?<![\d.])(?P<value>\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º)?\s*"
    r"(?:(?:degrees?|degs?|deg)\s*)?(?P<unit>fahrenheit|farenheit|celsius|celcius|centigrade|f|c)?(?![a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A count or a duration, and where it is in the text it was read from."""

    value: float
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """A temperature as the client gave it, in the unit they used (or the one its range implies)."""

    value: float
    unit: str  # "F" or "C"

    def at_least(self, f: float, c: float) -> bool:
        return self.value >= (f if self.unit == "F" else c)


def temperature_readings(text: str) -> list[Reading]:
    """Every body temperature in `text` (a phrase already known to be about temperature)."""
    readings = []
    for match in _READING.finditer(text):
        value = float(match.group("value").replace(",", "."))
        unit = (match.group("unit") or "").lower()
        if unit.startswith("f"):
            unit_letter = "F"
        elif unit.startswith("c"):
            unit_letter = "C"
        elif 95.0 <= value <= 110.0:
            unit_letter = "F"
        elif 35.0 <= value <= 43.0:
            unit_letter = "C"
        else:
            continue  # "fever for 10 days", "temp at 5pm": not a reading
        plausible = 90.0 <= value <= 115.0 if unit_letter == "F" else 32.0 <= value <= 46.0
        if plausible:
            readings.append(Reading(value=value, unit=unit_letter))
    return readings


def most_times(text: str) -> Quantity | None:
    """The largest count of repeats in `text` ("5 times", "x5", "5 or 6 times", "nonstop")."""
    best: Quantity | None = None
    for match in _TIMES.finditer(text):
        count = _times_value(match)
        if count is not None and (best is None or count > best.value):
            best = Quantity(float(count), match.start(), match.end())
    return best


def longest_hours(text: str) -> Quantity | None:
    """The longest duration in `text`, in hours ("for 2 days" 48, "since yesterday" 24)."""
    found: list[Quantity] = []
    for match in _DURATION.finditer(text):
        if _RATE_BEFORE.search(text, 0, match.start()) and match.group("n").lower() in {
            "a",
            "an",
            "one",
        }:
            continue  # "twice a day" is a rate, not a duration
        tail = (match.group("tail") or "").strip().lower()
        if tail and not (tail == "ago" and match.group("lead")):
            continue  # "2 days ago" is when it happened, "started 2 days ago" is how long
        amount = _number(match.group("n"))
        if amount is None:
            continue
        unit_hours = _UNIT_HOURS[(match.group("unit") or match.group("short")).lower()]
        hours = amount * unit_hours + (unit_hours / 2 if match.group("half") else 0.0)
        found.append(Quantity(hours, match.start("n"), match.end()))
    for pattern, hours in _FIXED_DURATIONS:
        for fixed in pattern.finditer(text):
            found.append(Quantity(hours, fixed.start(), fixed.end()))
    return max(found, key=lambda q: q.value, default=None)


def _times_value(match: re.Match[str]) -> int | None:
    if match.group("many"):
        return 6  # "nonstop", "keeps", "over and over": more than any daily limit
    if match.group("word"):
        return {"once": 1, "twice": 2, "thrice": 3}[match.group("word").lower()]
    if match.group("x"):
        return int(match.group("x"))
    if match.group("ord"):
        return int(match.group("ord"))
    first = _number(match.group("n"))
    second = _number(match.group("n2")) if match.group("n2") else None
    values = [v for v in (first, second) if v is not None]
    return int(max(values)) if values else None


def _number(word: str | None) -> float | None:
    if not word:
        return None
    word = word.lower().strip()
    try:
        return float(word)
    except ValueError:
        return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else None

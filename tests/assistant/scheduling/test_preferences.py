"""Reading what a client texts about when to come, with a fixed "now" in Chicago."""

from datetime import date, datetime, time, timedelta

import pytest

from assistant.scheduling.preferences import PastDate, chosen_offer, read_preference
from tests.assistant.scheduling.clinic import CHICAGO

# Friday 27 November 2026, 10 am in Chicago.
NOW = datetime(2026, 11, 27, 10, tzinfo=CHICAGO)
FRI, SAT, MON, TUE, WED, THU = (date(2026, 11, 27) + timedelta(days=n) for n in (0, 1, 3, 4, 5, 6))


def days_of(
    text: str, hints: list[str] | None = None
) -> tuple[date, date, time | None, time | None]:
    """(first local day, last local day, after, before) of the window read from `text`."""
    found = read_preference(text, hints=hints or [], timezone=CHICAGO, now=NOW)
    assert found is not None, text
    last = (found.latest.astimezone(CHICAGO) - timedelta(microseconds=1)).date()
    return found.earliest.astimezone(CHICAGO).date(), last, found.after_local, found.before_local


@pytest.mark.parametrize(
    ("text", "first", "last", "after", "before"),
    [
        ("next tue afternoon", date(2026, 12, 1), date(2026, 12, 1), time(12), None),
        ("Tuesday", date(2026, 12, 1), date(2026, 12, 1), None, None),
        ("tues pls", date(2026, 12, 1), date(2026, 12, 1), None, None),
        ("tmrw", SAT, SAT, None, None),
        ("Tomorrow morning", SAT, SAT, None, time(12)),
        ("anything friday after 3", date(2026, 12, 4), date(2026, 12, 4), time(15), None),
        ("friday after 3pm", date(2026, 12, 4), date(2026, 12, 4), time(15), None),
        ("friday at 3", date(2026, 12, 4), date(2026, 12, 4), time(15), time(16)),
        ("before noon on wed", date(2026, 12, 2), date(2026, 12, 2), None, time(12)),
        ("thrusday", date(2026, 12, 3), date(2026, 12, 3), None, None),
        ("next week", date(2026, 11, 30), date(2026, 12, 6), None, None),
        ("this week", FRI, date(2026, 11, 29), None, None),
        ("dec 2", date(2026, 12, 2), date(2026, 12, 2), None, None),
        ("2nd of December", date(2026, 12, 2), date(2026, 12, 2), None, None),
        ("12/3", date(2026, 12, 3), date(2026, 12, 3), None, None),
        ("the 14th", date(2026, 12, 14), date(2026, 12, 14), None, None),
        ("the 28th", date(2026, 11, 28), date(2026, 11, 28), None, None),
        ("nov 1", date(2027, 11, 1), date(2027, 11, 1), None, None),
        ("monday or tuesday", date(2026, 11, 30), date(2026, 12, 1), None, None),
        ("in 2 weeks", date(2026, 12, 7), date(2026, 12, 13), None, None),
        ("asap", FRI, date(2026, 12, 11), None, None),
        ("soonest you have", FRI, date(2026, 12, 11), None, None),
        ("Earliest", FRI, date(2026, 12, 11), None, None),
        ("any time", FRI, date(2026, 12, 11), None, None),
        ("morning", FRI, date(2026, 12, 11), None, time(12)),
        ("afternoon", FRI, date(2026, 12, 11), time(12), None),
        ("evening", FRI, date(2026, 12, 11), time(17), None),
        ("this afternoon", FRI, FRI, time(12), None),
    ],
)
def test_reads_a_window(
    text: str, first: date, last: date, after: time | None, before: time | None
) -> None:
    assert days_of(text) == (first, last, after, before)


def test_the_window_never_starts_before_now() -> None:
    found = read_preference("today", hints=[], timezone=CHICAGO, now=NOW)

    assert found is not None and found.earliest == NOW
    assert found.text == "today"


def test_rasa_hints_come_first() -> None:
    """The entity Rasa found names the day even when the rest of the text names another."""
    assert days_of("can I move it from monday", hints=["wednesday"])[:2] == (WED, WED)


@pytest.mark.parametrize(
    "text", ["yesterday", "last monday", "nov 1 2025", "12/3/2025", "this morning at 8"]
)
def test_a_day_already_past_is_refused(text: str) -> None:
    with pytest.raises(PastDate):
        read_preference(text, hints=[], timezone=CHICAGO, now=NOW)


@pytest.mark.parametrize("text", ["hello there", "may I book?", "", "what should I bring"])
def test_no_time_named_reads_as_none(text: str) -> None:
    assert read_preference(text, hints=[], timezone=CHICAGO, now=NOW) is None


def test_a_day_across_the_dst_change_is_25_hours_long() -> None:
    """US clocks fall back on 1 November 2026: that local day runs 05:00 to 06:00 UTC next day."""
    before_change = datetime(2026, 10, 31, 10, tzinfo=CHICAGO)

    found = read_preference("tomorrow morning", hints=[], timezone=CHICAGO, now=before_change)

    assert found is not None
    assert found.earliest.isoformat() == "2026-11-01T05:00:00+00:00"
    assert found.latest.isoformat() == "2026-11-02T06:00:00+00:00"
    assert found.before_local == time(12)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0),
        ("2", 1),
        ("#2", 1),
        ("the 2nd one", 1),
        ("2nd", 1),
        ("second", 1),
        ("The second one please", 1),
        ("option 3", 2),
        ("the last one", 2),
        ("first one works", 0),
        ("I'll take 2", 1),
        ("3.", 2),
        ("the 10am one", 1),
        ("2pm works", 2),
    ],
)
def test_reads_which_offer_was_chosen(text: str, index: int) -> None:
    assert chosen_offer(text, offers=3, times=[time(9), time(10), time(14)]) == index


@pytest.mark.parametrize(
    "text",
    [
        "dec 2",
        "the 2nd of december",
        "12/2",
        "4",
        "option 7",
        "none of those",
        "not the first",
        "in 2 weeks",
        "the first week of january",
        "can we do 3pm",  # no offer at 3 pm
        "hello",
    ],
)
def test_not_a_choice(text: str) -> None:
    assert chosen_offer(text, offers=3, times=[time(9), time(10), time(14)]) is None

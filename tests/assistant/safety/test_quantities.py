"""Reading counts, durations and temperatures out of lay text."""

import pytest

from assistant.safety.quantities import Reading, longest_hours, most_times, temperature_readings


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("temp 103.4", [Reading(103.4, "F")]),
        ("temp 103F", [Reading(103.0, "F")]),
        ("39.8 C", [Reading(39.8, "C")]),
        ("39,8°C", [Reading(39.8, "C")]),
        ("104degrees", [Reading(104.0, "F")]),
        ("went from 101 to 104", [Reading(101.0, "F"), Reading(104.0, "F")]),
        ("fever for 10 days", []),
        ("temp 40 F", []),  # not a body temperature
    ],
)
def test_temperature_readings(text: str, readings: list[Reading]) -> None:
    assert temperature_readings(text) == readings


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("vomited 5 times today", 5),
        ("threw up x6", 6),
        ("4x since breakfast", 4),
        ("5 or 6 times", 6),
        ("twice this morning", 2),
        ("the 5th time today", 5),
        ("several times", 4),
        ("throwing up nonstop", 6),
        ("once", 1),
        ("he threw up", None),
    ],
)
def test_most_times(text: str, times: int | None) -> None:
    found = most_times(text)
    assert (found.value if found else None) == times


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("for 2 days", 48),
        ("hasn't eaten in 2days", 48),
        ("36 hrs", 36),
        ("a day and a half", 36),
        ("since yesterday", 24),
        ("nothing since we brought him home yesterday morning", 24),
        ("since last night", 24),
        ("since saturday", 48),
        ("since his chemo", 48),
        ("started 3 days ago", 72),
        ("3 days ago", None),
        ("3 days after chemo", None),
        ("twice a day", None),
        ("since this morning", 12),
        ("fine now and eating", None),
    ],
)
def test_longest_hours(text: str, hours: float | None) -> None:
    found = longest_hours(text)
    assert (found.value if found else None) == hours


def test_quantity_positions_point_at_the_words() -> None:
    text = "he vomited 5 times today"
    found = most_times(text)

    assert found is not None
    assert text[found.start : found.end] == "5 times"

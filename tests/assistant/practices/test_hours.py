from datetime import UTC, datetime

from assistant.practices.hours import close_of_next_business_day, describe, is_open
from tests.conftest import HOURS_MON_FRI_8_TO_6

CHICAGO = "America/Chicago"


def test_routine_case_on_friday_evening_is_due_monday_close() -> None:
    friday_evening = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 17:30 in Chicago, a Friday

    due = close_of_next_business_day(HOURS_MON_FRI_8_TO_6, CHICAGO, friday_evening)

    assert due == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Monday 18:00 CST


def test_next_business_day_close_follows_daylight_saving() -> None:
    # Friday 6 March 2026; US clocks go forward on Sunday 8 March.
    due = close_of_next_business_day(
        HOURS_MON_FRI_8_TO_6, CHICAGO, datetime(2026, 3, 6, 15, tzinfo=UTC)
    )

    assert due == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # Monday 18:00 CDT is 23:00 UTC


def test_is_open_uses_the_practice_timezone() -> None:
    assert is_open(HOURS_MON_FRI_8_TO_6, CHICAGO, datetime(2026, 11, 27, 14, tzinfo=UTC))  # 8 am
    assert not is_open(HOURS_MON_FRI_8_TO_6, CHICAGO, datetime(2026, 11, 27, 13, tzinfo=UTC))
    assert not is_open(HOURS_MON_FRI_8_TO_6, CHICAGO, datetime(2026, 11, 28, 16, tzinfo=UTC))  # Sat


def test_describe_groups_consecutive_days() -> None:
    hours = {**HOURS_MON_FRI_8_TO_6, "sat": [["08:00", "12:30"]]}

    assert describe(hours) == "Mon-Fri 8am-6pm, Sat 8am-12:30pm"

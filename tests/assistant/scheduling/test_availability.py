"""Offers: free times inside shifts, after the lead time, spread so the client has a choice."""

from datetime import date, time, timedelta

from sqlalchemy.orm import Session

from assistant.scheduling.availability import SlotFinder
from assistant.scheduling.booking import book
from assistant.scheduling.preferences import TimePreference
from tests.assistant.scheduling.clinic import CHICAGO, NOW, local, make_clinic

MON, TUE = date(2026, 11, 30), date(2026, 12, 1)


def _local(offers: list) -> list[str]:  # type: ignore[type-arg]
    return [o.starts_at.astimezone(CHICAGO).strftime("%a %H:%M") for o in offers]


def test_offers_start_two_hours_from_now_on_different_days(session: Session) -> None:
    clinic = make_clinic(session)

    offers = SlotFinder().offers(session, appointment_type=clinic.chemo, preference=None, now=NOW)

    assert _local(offers) == ["Mon 10:00", "Tue 08:00", "Wed 08:00"]
    assert offers[0].clinician_name == "Dr. Evelyn Hart"


def test_one_day_window_gives_times_90_minutes_apart_and_skips_booked_time(
    session: Session,
) -> None:
    clinic = make_clinic(session)
    book(
        session,
        patient=clinic.patient,
        appointment_type=clinic.chemo,
        starts_at=local(TUE, "12:00"),
        clinician_id=None,
        idempotency_key="k",
        now=NOW,
    )
    afternoon = TimePreference(
        earliest=local(TUE, "00:00"), latest=local(TUE + timedelta(days=1), "00:00"),
        after_local=time(12),
    )  # fmt: skip

    offers = SlotFinder().offers(
        session, appointment_type=clinic.chemo, preference=afternoon, now=NOW
    )

    assert _local(offers) == ["Tue 13:00", "Tue 14:30", "Tue 16:00"]  # the last ends at 17:00


def test_no_free_time_gives_no_offers(session: Session) -> None:
    clinic = make_clinic(session)
    saturday = TimePreference(
        earliest=local(date(2026, 12, 5), "00:00"), latest=local(date(2026, 12, 6), "00:00")
    )

    assert (
        SlotFinder().offers(session, appointment_type=clinic.chemo, preference=saturday, now=NOW)
        == []
    )


def test_first_free_is_the_soonest_time_without_the_client_lead(session: Session) -> None:
    clinic = make_clinic(session)

    offer = SlotFinder().first_free(session, appointment_type=clinic.call, after=NOW, now=NOW)

    assert offer is not None and _local([offer]) == ["Mon 08:00"]
    assert offer.clinician_id == clinic.nurses[0].id


def test_shift_wall_clock_holds_across_the_dst_change(session: Session) -> None:
    """Shifts are 8:00 local on both sides of 1 November 2026."""
    clinic = make_clinic(session, first_day=date(2026, 10, 26), weeks=2)
    now = local(date(2026, 10, 30), "16:00")
    monday = TimePreference(
        earliest=local(date(2026, 11, 2), "00:00"), latest=local(date(2026, 11, 3), "00:00")
    )

    offers = SlotFinder().offers(session, appointment_type=clinic.chemo, preference=monday, now=now)

    assert _local(offers)[0] == "Mon 08:00"
    assert offers[0].starts_at.hour == 14  # 8:00 CST is 14:00 UTC (it was 13:00 in CDT)

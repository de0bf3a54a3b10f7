"""CHOP-19: every treatment week booked with its CBC first, and the protocol's spacing kept."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from assistant.scheduling import booking
from assistant.scheduling.booking import SpacingViolation
from assistant.scheduling.protocol_definitions import ProtocolError, load_protocol
from assistant.scheduling.protocols import schedule_series, series_visits
from tests.assistant.scheduling.clinic import CHICAGO, NOW, local, make_clinic

TUE = date(2026, 12, 1)


def test_chop_19_definition_follows_the_published_weeks() -> None:
    chop = load_protocol("chop_19")

    drugs = dict(chop.treatments())
    assert len(chop.weeks) == 19 and len(drugs) == 16
    assert [w for w in range(1, 20) if w not in drugs] == [5, 10, 15]
    assert [w for w, d in drugs.items() if d == "doxorubicin"] == [4, 9, 14, 19]
    assert [w for w, d in drugs.items() if d == "cyclophosphamide"] == [2, 7, 12, 17]
    assert chop.sources


def test_schedules_every_treatment_with_a_cbc_before_it(session: Session) -> None:
    clinic = make_clinic(session)
    # Week 3's usual time is taken: that week moves to the nearest free time the same day.
    booking.book(
        session,
        patient=clinic.other_patient,
        appointment_type=clinic.chemo,
        starts_at=local(TUE + timedelta(weeks=2), "09:00"),
        clinician_id=None,
        idempotency_key="other",
        now=NOW,
    )

    series = schedule_series(
        session,
        patient=clinic.patient,
        protocol_code="chop_19",
        first_visit=local(TUE, "09:00"),
        created_by_id=clinic.oncologist.id,
        now=NOW,
    )

    visits = series_visits(session, series)
    treatments = [v for v in visits if v.drug]
    cbcs = {v.protocol_step: v for v in visits if v.drug is None}
    assert len(treatments) == 16 and len(cbcs) == 16
    local_times = {v.protocol_step: v.starts_at.astimezone(CHICAGO) for v in treatments}
    assert local_times[1].strftime("%a %H:%M") == "Tue 09:00"
    assert local_times[3].strftime("%a %H:%M") in {"Tue 08:00", "Tue 10:00"}
    assert local_times[19].date() == TUE + timedelta(weeks=18)
    assert 5 not in local_times and treatments[3].drug == "doxorubicin"
    for treatment in treatments:
        cbc = cbcs[treatment.protocol_step]
        assert cbc.ends_at <= treatment.starts_at
        assert treatment.starts_at - cbc.starts_at < timedelta(days=2)
        assert cbc.idempotency_key == f"series-{series.id}-cbc-{treatment.protocol_step}"


def test_a_week_that_cannot_be_booked_is_named_and_nothing_is_left(session: Session) -> None:
    clinic = make_clinic(session, weeks=3)  # shifts run out after week 3

    with pytest.raises(ProtocolError, match="week 4"):
        schedule_series(
            session,
            patient=clinic.patient,
            protocol_code="chop_19",
            first_visit=local(TUE, "09:00"),
            created_by_id=None,
            now=NOW,
        )


def test_moving_a_treatment_keeps_spacing_and_takes_its_cbc_along(session: Session) -> None:
    clinic = make_clinic(session)
    series = schedule_series(
        session,
        patient=clinic.patient,
        protocol_code="chop_19",
        first_visit=local(TUE, "09:00"),
        created_by_id=None,
        now=NOW,
    )
    visits = series_visits(session, series)
    week2 = next(v for v in visits if v.protocol_step == 2 and v.drug)

    with pytest.raises(SpacingViolation, match="previous"):
        booking.reschedule(
            session,
            appointment=week2,
            starts_at=local(TUE + timedelta(days=2), "09:00"),
            idempotency_key="move-1",
            now=NOW,
        )

    moved = booking.reschedule(
        session,
        appointment=week2,
        starts_at=local(TUE + timedelta(days=8), "11:00"),
        idempotency_key="move-2",
        now=NOW,
    )
    cbc = next(
        v for v in series_visits(session, series) if v.protocol_step == 2 and v.drug is None
        and v.status == "booked"
    )  # fmt: skip
    assert moved.drug == "cyclophosphamide"
    assert cbc.starts_at.astimezone(CHICAGO).date() == TUE + timedelta(days=8)
    assert cbc.ends_at <= moved.starts_at

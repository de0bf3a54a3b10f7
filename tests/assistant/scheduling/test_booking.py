"""Booking: idempotent, refuses overlaps in the database, also under concurrent requests."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session, aliased

from assistant.db.engine import make_session_factory
from assistant.db.models import Appointment, AppointmentTimeClaim, AppointmentType, Patient
from assistant.scheduling import booking
from assistant.scheduling.booking import InvalidBooking, SlotTaken, book
from tests.assistant.scheduling.clinic import NOW, make_clinic

TUE = date(2026, 12, 1)


def _book(session: Session, pet: Patient, kind: AppointmentType, at: str, key: str, **kw):  # type: ignore[no-untyped-def]
    from tests.assistant.scheduling.clinic import local

    return book(
        session,
        patient=pet,
        appointment_type=kind,
        starts_at=local(TUE, at),
        clinician_id=kw.pop("clinician_id", None),
        idempotency_key=key,
        now=NOW,
        **kw,
    )


def test_booking_holds_the_clinicians_time(session: Session) -> None:
    clinic = make_clinic(session)

    visit = _book(session, clinic.patient, clinic.chemo, "09:00", "k1", drug="vincristine")

    assert visit.status == "booked" and visit.clinician_id == clinic.oncologist.id
    assert visit.ends_at - visit.starts_at == timedelta(hours=1)
    claims = session.scalars(
        select(AppointmentTimeClaim).where(AppointmentTimeClaim.appointment_id == visit.id)
    ).all()
    assert len(claims) == 12  # one per 5 minutes


def test_an_overlapping_booking_is_refused(session: Session) -> None:
    clinic = make_clinic(session)
    _book(session, clinic.patient, clinic.chemo, "09:00", "k1")

    with pytest.raises(SlotTaken):
        _book(session, clinic.other_patient, clinic.chemo, "09:30", "k2")
    # Right after it is free.
    assert _book(session, clinic.other_patient, clinic.chemo, "10:00", "k3").status == "booked"


def test_another_nurse_takes_it_when_the_first_is_busy(session: Session) -> None:
    clinic = make_clinic(session)
    first = _book(session, clinic.patient, clinic.cbc, "09:00", "k1")
    second = _book(session, clinic.other_patient, clinic.cbc, "09:00", "k2")

    assert {first.clinician_id, second.clinician_id} == {n.id for n in clinic.nurses}
    with pytest.raises(SlotTaken):
        _book(session, clinic.other_patient, clinic.cbc, "09:10", "k3")


@pytest.mark.parametrize(
    ("at", "kind", "clinician", "why"),
    [
        ("07:00", "chemo", None, "no one does"),  # before the shift
        ("16:30", "chemo", None, "no one does"),  # runs past the shift
        ("09:00", "chemo", "nurse", "does not do"),  # a nurse cannot give chemo
    ],
)
def test_invalid_bookings_are_refused(
    session: Session, at: str, kind: str, clinician: str | None, why: str
) -> None:
    clinic = make_clinic(session)
    clinician_id = clinic.nurses[0].id if clinician == "nurse" else None

    with pytest.raises(InvalidBooking, match=why):
        _book(session, clinic.patient, getattr(clinic, kind), at, "k", clinician_id=clinician_id)


def test_a_past_time_is_refused(session: Session) -> None:
    clinic = make_clinic(session)

    with pytest.raises(InvalidBooking, match="passed"):
        book(
            session,
            patient=clinic.patient,
            appointment_type=clinic.chemo,
            starts_at=NOW - timedelta(days=1),
            clinician_id=None,
            idempotency_key="k",
            now=NOW,
        )


def test_a_retry_with_the_same_key_returns_the_same_booking(session: Session) -> None:
    clinic = make_clinic(session)
    first = _book(session, clinic.patient, clinic.chemo, "09:00", "same")

    again = _book(session, clinic.patient, clinic.chemo, "09:00", "same")

    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Appointment)) == 1


def test_cancel_frees_the_time_and_confirm_is_recorded(session: Session) -> None:
    clinic = make_clinic(session)
    visit = _book(session, clinic.patient, clinic.chemo, "09:00", "k1")
    booking.confirm(session, appointment=visit, now=NOW)
    assert visit.confirmed_at == NOW

    booking.cancel(session, appointment=visit, now=NOW)

    assert visit.status == "cancelled" and visit.cancelled_at == NOW
    assert _book(session, clinic.other_patient, clinic.chemo, "09:00", "k2").status == "booked"
    assert booking.upcoming(session, patient_ids=[clinic.patient.id], now=NOW) == []


def test_reschedule_moves_atomically_and_frees_the_old_time(session: Session) -> None:
    clinic = make_clinic(session)
    old = _book(session, clinic.patient, clinic.chemo, "09:00", "k1")
    from tests.assistant.scheduling.clinic import local

    new = booking.reschedule(
        session, appointment=old, starts_at=local(TUE, "09:30"), idempotency_key="m1", now=NOW
    )

    assert old.status == "rescheduled" and new.rescheduled_from_id == old.id
    assert booking.upcoming(session, patient_ids=[clinic.patient.id], now=NOW) == [new]
    # A move onto a taken time changes nothing.
    blocker = _book(session, clinic.other_patient, clinic.chemo, "13:00", "k2")
    with pytest.raises(SlotTaken):
        booking.reschedule(
            session, appointment=new, starts_at=local(TUE, "12:30"), idempotency_key="m2", now=NOW
        )
    session.refresh(new)
    assert new.status == "booked" and blocker.status == "booked"
    # The old 9:00 start is free again up to the new 9:30 one.
    assert _book(session, clinic.other_patient, clinic.chemo, "08:15", "k3").status == "booked"


def _overlapping_booked(session: Session) -> int:
    a, b = aliased(Appointment), aliased(Appointment)
    return (
        session.scalar(
            select(func.count())
            .select_from(a)
            .join(
                b,
                and_(
                    a.clinician_id == b.clinician_id,
                    a.id < b.id,
                    a.starts_at < b.ends_at,
                    b.starts_at < a.ends_at,
                ),
            )
            .where(a.status == "booked", b.status == "booked")
        )
        or 0
    )


def _race(engine: Engine, starts: list[str], keys: list[str]) -> tuple[list[str], int]:
    sessions = make_session_factory(engine)
    with sessions() as setup:
        clinic = make_clinic(setup, weeks=1)
        setup.commit()
        pet_id, kind_id = clinic.patient.id, clinic.chemo.id
    barrier = threading.Barrier(len(starts))
    outcomes: list[str] = []

    def attempt(at: str, key: str) -> None:
        with sessions() as session:
            pet = session.get_one(Patient, pet_id)
            kind = session.get_one(AppointmentType, kind_id)
            barrier.wait()
            try:
                visit = _book(session, pet, kind, at, key)
                session.commit()
                outcomes.append(f"booked {visit.id}")
            except SlotTaken:
                session.rollback()
                outcomes.append("taken")

    threads = [
        threading.Thread(target=attempt, args=args) for args in zip(starts, keys, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with sessions() as check:
        return outcomes, _overlapping_booked(check)


def test_concurrent_bookings_of_one_time_book_exactly_one(engine: Engine) -> None:
    # Eight one-hour visits that all cover 9:00-9:05: at most one can exist.
    starts = ["09:00", "09:00", "08:15", "08:30", "08:45", "08:30", "08:15", "09:00"]

    outcomes, overlaps = _race(engine, starts, [f"key-{n}" for n in range(8)])

    assert len(outcomes) == 8
    assert sum(o.startswith("booked") for o in outcomes) == 1
    assert overlaps == 0
    with make_session_factory(engine)() as check:
        assert check.scalar(select(func.count()).select_from(Appointment)) == 1


def test_concurrent_retries_with_one_key_make_one_booking(engine: Engine) -> None:
    outcomes, overlaps = _race(engine, ["09:00"] * 8, ["same-key"] * 8)

    assert len(set(outcomes)) == 1 and outcomes[0].startswith("booked")
    assert len(outcomes) == 8 and overlaps == 0
    with make_session_factory(engine)() as check:
        assert check.scalar(select(func.count()).select_from(Appointment)) == 1

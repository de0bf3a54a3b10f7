"""The demo data: what `make run` puts in an empty database, on SQLite and PostgreSQL."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentType,
    ClinicianShift,
    Contact,
    ContactPatient,
    Patient,
    Practice,
    StaffUser,
)
from assistant.demo import load_demo_data
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.staff.auth import authenticate

# A Monday; US clocks spring forward on 8 March 2026, inside the demo's 30 days of shifts.
TODAY = date(2026, 3, 2)
VET = "cedar-vet-oncology"
HUMAN = "harbor-surgical-oncology"
SEEDED_MODELS = (
    Practice,
    StaffUser,
    Contact,
    Patient,
    ContactPatient,
    AppointmentType,
    ClinicianShift,
    Appointment,
)
CLINICAL_ROLES = {"nurse", "oncologist", "surgeon"}


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on a migrated, empty database (SQLite, then PostgreSQL)."""
    with make_session_factory(engine)() as s:
        yield s


@pytest.fixture
def demo(engine: Engine) -> Iterator[Session]:
    """The demo data as the api would see it: loaded and committed, then read back afresh."""
    factory = make_session_factory(engine)
    with factory() as loader:
        assert load_demo_data(loader, today=TODAY) is True
        loader.commit()
    with factory() as s:
        yield s


def _practice(session: Session, slug: str) -> Practice:
    return session.scalars(select(Practice).where(Practice.slug == slug)).one()


def _rows(session: Session, model: Any, practice: Practice) -> list[Any]:
    return list(session.scalars(select(model).where(model.practice_id == practice.id)))


def _row_counts(session: Session) -> dict[str, int]:
    return {
        m.__name__: session.scalar(select(func.count()).select_from(m)) or 0 for m in SEEDED_MODELS
    }


def test_loads_one_practice_of_each_kind_with_their_hours_and_emergency_numbers(
    demo: Session,
) -> None:
    practices = {p.slug: p for p in demo.scalars(select(Practice))}

    assert {slug: (p.name, p.kind, p.timezone) for slug, p in practices.items()} == {
        VET: ("Cedar Veterinary Oncology", "veterinary", "America/Chicago"),
        HUMAN: ("Harbor Surgical Oncology", "human", "America/New_York"),
    }
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    assert practices[VET].business_hours == {
        **{d: [["08:00", "18:00"]] for d in weekdays},
        "sat": [["08:00", "12:00"]],
        "sun": [],
    }
    assert practices[HUMAN].business_hours == {
        **{d: [["08:00", "17:00"]] for d in weekdays},
        "sat": [],
        "sun": [],
    }
    assert practices[VET].emergency_contact_name == "Cedar 24-Hour Emergency Animal Hospital"
    assert practices[VET].emergency_contact_number not in {
        practices[VET].phone,
        practices[VET].sms_number,
    }
    assert (practices[HUMAN].emergency_contact_name, practices[HUMAN].emergency_contact_number) == (
        "Emergency services",
        "911",
    )


def test_each_practice_has_its_staff_clients_patients_types_and_bookings(demo: Session) -> None:
    vet, human = _practice(demo, VET), _practice(demo, HUMAN)

    assert Counter(s.role for s in _rows(demo, StaffUser, vet)) == {
        "nurse": 2,
        "oncologist": 1,
        "admin": 1,
        "billing": 1,
    }
    assert Counter(s.role for s in _rows(demo, StaffUser, human)) == {
        "nurse": 2,
        "surgeon": 1,
        "oncologist": 1,
        "admin": 1,
        "billing": 1,
    }
    for practice in (vet, human):
        consent = Counter(c.consent for c in _rows(demo, Contact, practice))
        assert consent == {"opted_in": 10, "opted_out": 1, "unknown": 1}
        assert 8 <= len(_rows(demo, Appointment, practice)) <= 12
    assert len(_rows(demo, Patient, vet)) == 12
    assert len(_rows(demo, Patient, human)) == 11

    types = {t.code: t for t in _rows(demo, AppointmentType, vet)}
    assert set(types) == {
        "chemo_treatment",
        "cbc_recheck",
        "radiation_session",
        "oncology_consult",
        "recheck_exam",
        "nurse_followup_call",
    }
    assert {code for code, t in types.items() if t.needs_labs} == {"chemo_treatment"}
    assert {t.code for t in _rows(demo, AppointmentType, human)} == {
        "postop_visit",
        "drain_removal",
        "wound_check",
        "preop_testing",
        "med_onc_referral",
        "rad_onc_referral",
        "nurse_followup_call",
    }


def test_second_load_returns_false_and_adds_nothing(demo: Session) -> None:
    before = _row_counts(demo)

    assert load_demo_data(demo, today=TODAY + timedelta(days=3)) is False
    demo.flush()

    assert _row_counts(demo) == before


def test_a_database_with_a_real_practice_gets_no_demo_data(db: Session) -> None:
    db.add(
        Practice(
            slug="real-clinic",
            name="Real Clinic",
            kind="human",
            timezone="America/Denver",
            business_hours={},
            phone="+13035550100",
            sms_number="+13035550101",
            emergency_contact_name="Emergency services",
            emergency_contact_number="911",
        )
    )
    db.flush()

    assert load_demo_data(db, today=TODAY) is False
    assert _row_counts(db) == {m.__name__: 1 if m is Practice else 0 for m in SEEDED_MODELS}


def test_every_phone_number_is_valid_e164(demo: Session) -> None:
    numbers = [n for p in demo.scalars(select(Practice)) for n in (p.phone, p.sms_number)]
    numbers += [
        p.emergency_contact_number
        for p in demo.scalars(select(Practice))
        if p.emergency_contact_number != "911"
    ]
    numbers += demo.scalars(select(StaffUser.phone)).all()
    numbers += demo.scalars(select(Contact.phone)).all()

    assert len(numbers) == 2 * 2 + 1 + 11 + 24
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        assert number[-4:-2] == "01", f"{number} is outside the fictional 555-01XX range"


def test_practice_numbers_are_all_different(demo: Session) -> None:
    practice_numbers = [n for p in demo.scalars(select(Practice)) for n in (p.phone, p.sms_number)]
    contact_numbers = set(demo.scalars(select(Contact.phone)))

    assert len(set(practice_numbers)) == 4
    # A client texting from a practice's own number would be routed to itself.
    assert not contact_numbers & set(practice_numbers)


def test_staff_have_unique_example_org_emails_and_the_demo_password(demo: Session) -> None:
    staff = list(demo.scalars(select(StaffUser)))

    assert len({s.email for s in staff}) == len(staff) == 11
    assert all(s.email.endswith(".example.org") for s in staff)
    assert all(s.password_hash and s.active for s in staff)
    first = staff[0]
    assert authenticate(demo, email=first.email.upper(), password=DEMO_STAFF_PASSWORD) == first
    assert authenticate(demo, email=first.email, password="wrong") is None


def test_vet_practice_has_an_owner_with_two_pets_and_a_pet_with_two_owners(
    demo: Session,
) -> None:
    vet = _practice(demo, VET)
    links = demo.scalars(
        select(ContactPatient).join(Contact).where(Contact.practice_id == vet.id)
    ).all()

    pets_per_owner = Counter(link.contact_id for link in links)
    owners_per_pet = Counter(link.patient_id for link in links)
    assert {link.relationship_kind for link in links} == {"owner"}
    assert max(pets_per_owner.values()) == 2
    assert max(owners_per_pet.values()) == 2
    pets = _rows(demo, Patient, vet)
    assert {p.kind for p in pets} == {"animal"}
    assert {p.species for p in pets} == {"dog", "cat"}
    assert all(p.breed for p in pets)
    assert "multicentric B-cell lymphoma" in {p.diagnosis for p in pets}


def test_human_patients_text_for_themselves_and_one_has_a_caregiver(demo: Session) -> None:
    human = _practice(demo, HUMAN)
    patients = _rows(demo, Patient, human)
    links = demo.scalars(
        select(ContactPatient).join(Contact).where(Contact.practice_id == human.id)
    ).all()

    assert {p.kind for p in patients} == {"human"}
    assert {p.species for p in patients} == {None}
    self_links = [link for link in links if link.relationship_kind == "self"]
    assert {link.patient_id for link in self_links} == {p.id for p in patients}
    for link in self_links:  # "self" means the contact is that very person
        assert link.patient.name == f"{link.contact.first_name} {link.contact.last_name}"
    caregivers = [link for link in links if link.relationship_kind == "caregiver"]
    assert len(caregivers) == 1
    assert caregivers[0].contact_id not in {link.contact_id for link in self_links}


def test_every_patient_has_a_birth_date_diagnosis_and_treating_doctor(demo: Session) -> None:
    for patient in demo.scalars(select(Patient)):
        doctor = demo.get(StaffUser, patient.primary_clinician_id)
        assert doctor is not None, patient.name
        assert doctor.practice_id == patient.practice_id
        assert doctor.role in {"oncologist", "surgeon"}
        assert patient.date_of_birth is not None and patient.date_of_birth < TODAY
        assert patient.diagnosis


def test_shifts_keep_local_business_hours_across_the_dst_change(demo: Session) -> None:
    for practice in demo.scalars(select(Practice)):
        zone = ZoneInfo(practice.timezone)
        staff = _rows(demo, StaffUser, practice)
        shifts = demo.scalars(
            select(ClinicianShift).where(ClinicianShift.staff_id.in_([s.id for s in staff]))
        ).all()
        on_shift = {s.staff_id for s in shifts}
        assert on_shift == {s.id for s in staff if s.role in CLINICAL_ROLES}
        for shift in shifts:
            start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
            assert shift.starts_at.utcoffset() == timedelta(0)
            assert TODAY <= start.date() == end.date() < TODAY + timedelta(days=30)
            day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[start.weekday()]
            assert any(
                time.fromisoformat(open_) <= start.time() < end.time() <= time.fromisoformat(close)
                for open_, close in practice.business_hours[day]
            ), f"{shift.staff_id} works {start:%a %H:%M}-{end:%H:%M}, outside business hours"

    # The same 08:00 wall-clock start is 14:00 UTC before 8 March and 13:00 UTC after it.
    vet_oncologist = demo.scalars(
        select(StaffUser).join(Practice).where(Practice.slug == VET, StaffUser.role == "oncologist")
    ).one()
    starts = demo.scalars(
        select(ClinicianShift.starts_at).where(ClinicianShift.staff_id == vet_oncologist.id)
    ).all()
    assert {s.hour for s in starts} == {13, 14}
    assert {s.astimezone(ZoneInfo("America/Chicago")).time() for s in starts} == {time(8)}


def _assert_appointments_are_bookable(session: Session, today: date) -> None:
    """Each booking sits inside one of its clinician's shifts, in the next 2 weeks, no overlaps."""
    appointments = session.scalars(select(Appointment)).all()
    assert appointments
    by_clinician: defaultdict[int, list[Appointment]] = defaultdict(list)
    for appt in appointments:
        clinician = session.get(StaffUser, appt.clinician_id)
        kind = session.get(AppointmentType, appt.appointment_type_id)
        patient = session.get(Patient, appt.patient_id)
        practice = session.get(Practice, appt.practice_id)
        assert clinician and kind and patient and practice
        assert clinician.practice_id == kind.practice_id == patient.practice_id == practice.id
        assert clinician.role in kind.clinician_roles
        assert appt.status == "booked"
        assert appt.ends_at - appt.starts_at == timedelta(minutes=kind.duration_minutes)
        local_day = appt.starts_at.astimezone(ZoneInfo(practice.timezone)).date()
        assert today < local_day <= today + timedelta(days=14)
        covering = session.scalars(
            select(ClinicianShift).where(
                ClinicianShift.staff_id == appt.clinician_id,
                ClinicianShift.starts_at <= appt.starts_at,
                ClinicianShift.ends_at >= appt.ends_at,
            )
        ).all()
        assert len(covering) == 1, f"{patient.name} {kind.code} at {appt.starts_at} is off shift"
        by_clinician[appt.clinician_id].append(appt)

    for booked in by_clinician.values():
        booked.sort(key=lambda a: a.starts_at)
        for earlier, later in zip(booked, booked[1:], strict=False):
            assert earlier.ends_at <= later.starts_at, f"overlap at {later.starts_at}"


def test_appointments_fit_shifts_without_overlap(demo: Session) -> None:
    _assert_appointments_are_bookable(demo, TODAY)


@pytest.mark.parametrize(
    "today",
    # Every weekday, in the fortnight when US clocks fall back (1 November 2026).
    [date(2026, 10, 26) + timedelta(days=n) for n in range(7)],
    ids=lambda d: f"{d:%a}",
)
def test_appointments_fit_shifts_whatever_weekday_the_demo_loads(
    session: Session, today: date
) -> None:
    assert load_demo_data(session, today=today) is True
    session.commit()
    session.expire_all()  # read back what the database stored, not the objects just built

    _assert_appointments_are_bookable(session, today)


def test_someone_is_on_call_at_every_moment_of_the_30_days(demo: Session) -> None:
    from datetime import UTC, datetime

    from assistant.escalation.paging import on_call_at

    for slug in (VET, HUMAN):
        practice = _practice(demo, slug)
        start = datetime.combine(TODAY, time(12), tzinfo=ZoneInfo(practice.timezone))
        for hours in range(0, 29 * 24, 5):  # every 5 hours, across the DST change
            moment = (start + timedelta(hours=hours)).astimezone(UTC)
            shift = on_call_at(demo, practice, moment)
            assert shift is not None, (slug, moment)
            on_call = demo.get_one(StaffUser, shift.staff_id)
            assert on_call.role in {"oncologist", "surgeon"}
            assert shift.backup_staff_id not in (None, shift.staff_id)

"""A small veterinary clinic with shifts, for the scheduling tests."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant.db.models import (
    AppointmentType,
    ClinicianShift,
    Contact,
    ContactPatient,
    Patient,
    StaffUser,
)
from tests.conftest import add_practice

CHICAGO = ZoneInfo("America/Chicago")
# Monday 30 November 2026, 8 am in Chicago.
NOW = datetime(2026, 11, 30, 8, tzinfo=CHICAGO).astimezone(UTC)


def local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=CHICAGO).astimezone(UTC)


@dataclass
class Clinic:
    practice_id: int
    oncologist: StaffUser
    nurses: list[StaffUser]
    chemo: AppointmentType
    cbc: AppointmentType
    call: AppointmentType
    patient: Patient
    other_patient: Patient
    contact: Contact


def make_clinic(
    session: Session, *, first_day: date = date(2026, 11, 30), weeks: int = 22
) -> Clinic:
    """Oncologist and two nurses, 8:00-17:00 on weekdays for `weeks` weeks from `first_day`."""
    practice = add_practice(session, kind="veterinary")
    people = [
        StaffUser(
            practice_id=practice.id,
            name=name,
            email=f"{name.split()[-1].lower()}@example.org",
            role=role,
            phone=f"+1312555014{n}",
        )
        for n, (name, role) in enumerate(
            [("Dr. Evelyn Hart", "oncologist"), ("Jo Reyes", "nurse"), ("Cas Morgan", "nurse")]
        )
    ]
    session.add_all(people)
    session.flush()
    for offset in range(weeks * 7):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for person in people:
            session.add(
                ClinicianShift(
                    staff_id=person.id, starts_at=local(day, "08:00"), ends_at=local(day, "17:00")
                )
            )

    def kind(code: str, minutes: int, roles: list[str]) -> AppointmentType:
        return AppointmentType(
            practice_id=practice.id,
            code=code,
            name=code.replace("_", " "),
            duration_minutes=minutes,
            clinician_roles=roles,
        )

    types = [
        kind("chemo_treatment", 60, ["oncologist"]),
        kind("cbc_recheck", 20, ["nurse"]),
        kind("nurse_followup_call", 15, ["nurse"]),
    ]
    contact = Contact(practice_id=practice.id, phone="+13125550150", first_name="M", last_name="A")
    pets = [
        Patient(practice_id=practice.id, kind="animal", name=name, species="dog")
        for name in ("Biscuit", "Pepper")
    ]
    session.add_all([*types, contact, *pets])
    session.flush()
    for pet in pets:
        session.add(
            ContactPatient(contact_id=contact.id, patient_id=pet.id, relationship_kind="owner")
        )
    session.flush()
    return Clinic(
        practice_id=practice.id,
        oncologist=people[0],
        nurses=people[1:],
        chemo=types[0],
        cbc=types[1],
        call=types[2],
        patient=pets[0],
        other_patient=pets[1],
        contact=contact,
    )

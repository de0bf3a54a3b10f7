"""The front desk (issue 19): find a patient, and add or change one client, patient or visit
by hand. The rules and their audit are in assistant/front_desk/; visits go through the same
scheduling rules as a booking by text."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.auth import RecordsEditor, RecordsEditorPage
from api.deps import SessionDep
from api.routes.pages import pages
from assistant.audit import record_read
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Contact,
    ContactPatient,
    Patient,
    Practice,
    StaffUser,
)
from assistant.front_desk import people, visits

router = APIRouter(tags=["front desk"])
API = "/api/v1/front-desk"
CLINICAL_ROLES = ("oncologist", "surgeon", "nurse")
Name = Field(min_length=1, max_length=100)


class ContactOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    phone: str
    consent: str
    relationship: str
    from_source: bool


class VisitOut(BaseModel):
    id: int
    type_code: str
    type_name: str
    clinician_id: int
    clinician_name: str
    starts_at: datetime
    local_start: str  # "Tue 15 Dec 2026 10:00", the practice's time
    status: str


class PatientOut(BaseModel):
    id: int
    name: str
    species: str | None
    breed: str | None
    date_of_birth: date | None
    diagnosis: str | None
    primary_clinician_id: int | None
    status: str
    from_source: bool  # imported: change it in the practice's own system too
    contacts: list[ContactOut]
    visits: list[VisitOut]


class Option(BaseModel):
    value: str
    label: str


class OptionsOut(BaseModel):
    kind: str
    timezone: str
    relationships: list[str]
    appointment_types: list[Option]
    clinicians: list[Option]


class ContactIn(BaseModel):
    first_name: str = Name
    last_name: str = Name
    phone: str = Field(min_length=3, max_length=32)


class ContactChange(BaseModel):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, min_length=3, max_length=32)


class PatientFields(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    species: str | None = Field(default=None, max_length=40)
    breed: str | None = Field(default=None, max_length=80)
    date_of_birth: date | None = None
    diagnosis: str | None = Field(default=None, max_length=200)
    primary_clinician_id: int | None = None


class NewPatient(PatientFields):
    name: str = Field(min_length=1, max_length=200)
    contact: ContactIn
    relationship: str = Field(max_length=16)


class LinkIn(ContactIn):
    relationship: str = Field(max_length=16)


class VisitIn(BaseModel):
    patient_id: int
    appointment_type: str = Field(max_length=40)
    starts_at: datetime = Field(description="local time at the practice, e.g. 2026-12-15T10:00")
    clinician_id: int | None = None
    request_key: str = Field(min_length=8, max_length=64, description="one per form sent")


class MoveIn(BaseModel):
    starts_at: datetime
    clinician_id: int | None = None
    request_key: str = Field(min_length=8, max_length=64)


@router.get("/front-desk", response_class=HTMLResponse, include_in_schema=False)
def front_desk_page(request: Request, staff: RecordsEditorPage, session: SessionDep) -> Response:
    practice = session.get_one(Practice, staff.practice_id)
    return pages.TemplateResponse(
        request, "front_desk.html", {"staff": staff, "practice": practice}
    )


@router.get(f"{API}/options", response_model=OptionsOut)
def options(staff: RecordsEditor, session: SessionDep) -> OptionsOut:
    practice = session.get_one(Practice, staff.practice_id)
    kinds = session.scalars(
        select(AppointmentType)
        .where(AppointmentType.practice_id == practice.id)
        .order_by(AppointmentType.name)
    )
    clinicians = session.scalars(
        select(StaffUser)
        .where(
            StaffUser.practice_id == practice.id,
            StaffUser.active.is_(True),
            StaffUser.role.in_(CLINICAL_ROLES),
        )
        .order_by(StaffUser.name)
    )
    return OptionsOut(
        kind=practice.kind,
        timezone=practice.timezone,
        relationships=list(people.RELATIONSHIPS[practice.kind]),
        appointment_types=[
            Option(value=k.code, label=f"{k.name} ({k.duration_minutes} min)") for k in kinds
        ],
        clinicians=[Option(value=str(c.id), label=f"{c.name}, {c.role}") for c in clinicians],
    )


@router.get(f"{API}/patients", response_model=list[PatientOut])
def find_patients(
    staff: RecordsEditor,
    session: SessionDep,
    q: str = Query(min_length=2, max_length=100, description="part of a name or phone number"),
) -> list[PatientOut]:
    """Up to 20 patients whose name, or whose client's name or number, contains `q`."""
    practice = session.get_one(Practice, staff.practice_id)
    like = f"%{q.strip().lower()}%"
    digits = "".join(ch for ch in q if ch.isdigit())
    client_matches = [
        func.lower(Contact.first_name + " " + Contact.last_name).like(like),
    ]
    if len(digits) >= 4:
        client_matches.append(Contact.phone.like(f"%{digits}%"))
    by_client = (
        select(ContactPatient.patient_id)
        .join(Contact, Contact.id == ContactPatient.contact_id)
        .where(Contact.practice_id == practice.id, or_(*client_matches))
    )
    found = session.scalars(
        select(Patient)
        .where(
            Patient.practice_id == practice.id,
            or_(func.lower(Patient.name).like(like), Patient.id.in_(by_client)),
        )
        .order_by(Patient.name)
        .limit(20)
    ).all()
    now = datetime.now(UTC)
    record_read(session, staff=staff, action="front_desk.searched", entity=practice, now=now)
    session.commit()
    return [_patient_out(session, practice, p, now) for p in found]


@router.post(f"{API}/patients", response_model=PatientOut, status_code=201)
def add_patient(body: NewPatient, staff: RecordsEditor, session: SessionDep) -> PatientOut:
    practice = session.get_one(Practice, staff.practice_id)
    actor = f"staff:{staff.id}"
    contact = people.find_or_add_contact(
        session,
        practice=practice,
        details=people.ContactDetails(**body.contact.model_dump()),
        actor=actor,
    )
    patient = people.add_patient(
        session,
        practice=practice,
        fields=body.model_dump(exclude={"contact", "relationship"}),
        contact=contact,
        relationship=body.relationship,
        actor=actor,
    )
    session.commit()
    return _patient_out(session, practice, patient, datetime.now(UTC))


@router.patch(f"{API}/patients/{{patient_id}}", response_model=PatientOut)
def change_patient(
    patient_id: int, body: PatientFields, staff: RecordsEditor, session: SessionDep
) -> PatientOut:
    practice = session.get_one(Practice, staff.practice_id)
    patient = people.patient_in_practice(session, practice, patient_id)
    people.change_patient(
        session,
        practice=practice,
        patient=patient,
        fields=body.model_dump(exclude_unset=True),
        actor=f"staff:{staff.id}",
    )
    session.commit()
    return _patient_out(session, practice, patient, datetime.now(UTC))


@router.post(f"{API}/patients/{{patient_id}}/contacts", response_model=PatientOut)
def link_contact(
    patient_id: int, body: LinkIn, staff: RecordsEditor, session: SessionDep
) -> PatientOut:
    """Another owner or a caregiver: found by number, or added."""
    practice = session.get_one(Practice, staff.practice_id)
    patient = people.patient_in_practice(session, practice, patient_id)
    actor = f"staff:{staff.id}"
    details = people.ContactDetails(**body.model_dump(exclude={"relationship"}))
    contact = people.find_or_add_contact(session, practice=practice, details=details, actor=actor)
    people.link_contact(
        session,
        practice=practice,
        patient=patient,
        contact=contact,
        relationship=body.relationship,
        actor=actor,
    )
    session.commit()
    return _patient_out(session, practice, patient, datetime.now(UTC))


@router.patch(f"{API}/contacts/{{contact_id}}", response_model=ContactOut)
def change_contact(
    contact_id: int, body: ContactChange, staff: RecordsEditor, session: SessionDep
) -> ContactOut:
    practice = session.get_one(Practice, staff.practice_id)
    contact = people.contact_in_practice(session, practice, contact_id)
    people.change_contact(
        session,
        practice=practice,
        contact=contact,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
        actor=f"staff:{staff.id}",
    )
    session.commit()
    return _contact_out(contact, relationship="")


@router.post(f"{API}/visits", response_model=VisitOut, status_code=201)
def book_visit(body: VisitIn, staff: RecordsEditor, session: SessionDep) -> VisitOut:
    practice = session.get_one(Practice, staff.practice_id)
    now = datetime.now(UTC)
    visit = visits.book_visit(
        session,
        practice=practice,
        patient=people.patient_in_practice(session, practice, body.patient_id),
        type_code=body.appointment_type,
        starts_at=visits.practice_time(practice, body.starts_at, now),
        clinician_id=body.clinician_id,
        request_key=body.request_key,
        actor=f"staff:{staff.id}",
        now=now,
    )
    session.commit()
    return _visit_out(session, practice, visit)


@router.post(f"{API}/visits/{{visit_id}}/move", response_model=VisitOut)
def move_visit(visit_id: int, body: MoveIn, staff: RecordsEditor, session: SessionDep) -> VisitOut:
    practice = session.get_one(Practice, staff.practice_id)
    now = datetime.now(UTC)
    moved = visits.move_visit(
        session,
        practice=practice,
        visit=visits.visit_in_practice(session, practice, visit_id),
        starts_at=visits.practice_time(practice, body.starts_at, now),
        clinician_id=body.clinician_id,
        request_key=body.request_key,
        actor=f"staff:{staff.id}",
        now=now,
    )
    session.commit()
    return _visit_out(session, practice, moved)


@router.post(f"{API}/visits/{{visit_id}}/cancel", response_model=VisitOut)
def cancel_visit(visit_id: int, staff: RecordsEditor, session: SessionDep) -> VisitOut:
    practice = session.get_one(Practice, staff.practice_id)
    visit = visits.cancel_visit(
        session,
        practice=practice,
        visit=visits.visit_in_practice(session, practice, visit_id),
        actor=f"staff:{staff.id}",
        now=datetime.now(UTC),
    )
    session.commit()
    return _visit_out(session, practice, visit)


def _patient_out(
    session: Session, practice: Practice, patient: Patient, now: datetime
) -> PatientOut:
    links = session.execute(
        select(Contact, ContactPatient.relationship_kind)
        .join(ContactPatient, ContactPatient.contact_id == Contact.id)
        .where(ContactPatient.patient_id == patient.id)
        .order_by(Contact.last_name, Contact.first_name)
    ).all()
    upcoming = session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == "booked",
            Appointment.ends_at > now,
        )
        .order_by(Appointment.starts_at)
        .limit(20)
    ).all()
    return PatientOut(
        id=patient.id,
        name=patient.name,
        species=patient.species,
        breed=patient.breed,
        date_of_birth=patient.date_of_birth,
        diagnosis=patient.diagnosis,
        primary_clinician_id=patient.primary_clinician_id,
        status=patient.status,
        from_source=patient.source_id is not None,
        contacts=[_contact_out(c, relationship=kind) for c, kind in links],
        visits=[_visit_out(session, practice, v) for v in upcoming],
    )


def _contact_out(contact: Contact, *, relationship: str) -> ContactOut:
    return ContactOut(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        phone=contact.phone,
        consent=contact.consent,
        relationship=relationship,
        from_source=contact.source_id is not None,
    )


def _visit_out(session: Session, practice: Practice, visit: Appointment) -> VisitOut:
    kind = session.get_one(AppointmentType, visit.appointment_type_id)
    clinician = session.get_one(StaffUser, visit.clinician_id)
    local = visit.starts_at.astimezone(ZoneInfo(practice.timezone))
    return VisitOut(
        id=visit.id,
        type_code=kind.code,
        type_name=kind.name,
        clinician_id=clinician.id,
        clinician_name=clinician.name,
        starts_at=visit.starts_at,
        local_start=local.strftime("%a %d %b %Y %H:%M"),
        status=visit.status,
    )

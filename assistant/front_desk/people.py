"""Add or change a contact or a patient by hand, and link them.

Consent is not edited here: a client opts in or out by text (STOP, START), the only record
the law trusts; a contact added at the desk starts `unknown` like anyone who texts first.
Audit rows name the fields changed, not their values (the log keeps no health data).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import audit
from assistant.db.changes import assign_changed
from assistant.db.models import Contact, ContactPatient, Patient, Practice, StaffUser
from assistant.errors import Conflict, Invalid, NotFound
from assistant.phone_numbers import NotAPhoneNumber, region_of, to_e164

RELATIONSHIPS = {"veterinary": ("owner",), "human": ("self", "caregiver")}


@dataclass(frozen=True)
class ContactDetails:
    first_name: str
    last_name: str
    phone: str


def contact_in_practice(session: Session, practice: Practice, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.practice_id != practice.id:
        raise NotFound("no such client here")
    return contact


def patient_in_practice(session: Session, practice: Practice, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.practice_id != practice.id:
        raise NotFound("no such patient here")
    return patient


def find_or_add_contact(
    session: Session, *, practice: Practice, details: ContactDetails, actor: str
) -> Contact:
    """The practice's contact with this number, or a new one with these names."""
    phone = _phone(practice, details.phone)
    found = session.scalars(
        select(Contact).where(Contact.practice_id == practice.id, Contact.phone == phone)
    ).first()
    if found is not None:
        return found
    contact = Contact(
        practice_id=practice.id,
        phone=phone,
        first_name=_name(details.first_name, "first name"),
        last_name=_name(details.last_name, "last name"),
        consent="unknown",
    )
    session.add(contact)
    session.flush()
    audit.record(
        session, practice_id=practice.id, actor=actor, action="contact.added", entity=contact
    )
    return contact


def change_contact(
    session: Session, *, practice: Practice, contact: Contact, changes: dict[str, str], actor: str
) -> list[str]:
    """Names and phone number; the fields that changed."""
    wanted: dict[str, Any] = {}
    for field in ("first_name", "last_name"):
        if field in changes:
            wanted[field] = _name(changes[field], field.replace("_", " "))
    if "phone" in changes:
        phone = _phone(practice, changes["phone"])
        taken = session.scalars(
            select(Contact.id).where(
                Contact.practice_id == practice.id, Contact.phone == phone, Contact.id != contact.id
            )
        ).first()
        if taken is not None:
            raise Conflict("another client has this number; change theirs first")
        wanted["phone"] = phone
    return _change(session, practice, contact, wanted, actor=actor, action="contact.changed")


def add_patient(
    session: Session,
    *,
    practice: Practice,
    fields: dict[str, Any],
    contact: Contact,
    relationship: str,
    actor: str,
) -> Patient:
    patient = Patient(
        practice_id=practice.id,
        kind="animal" if practice.kind == "veterinary" else "human",
        status="active",
    )
    assign_changed(patient, _patient_values(session, practice, fields, new=True))
    session.add(patient)
    session.flush()
    link_contact(
        session,
        practice=practice,
        patient=patient,
        contact=contact,
        relationship=relationship,
        actor=actor,
    )
    audit.record(
        session, practice_id=practice.id, actor=actor, action="patient.added", entity=patient
    )
    return patient


def change_patient(
    session: Session, *, practice: Practice, patient: Patient, fields: dict[str, Any], actor: str
) -> list[str]:
    values = _patient_values(session, practice, fields, new=False)
    return _change(session, practice, patient, values, actor=actor, action="patient.changed")


def link_contact(
    session: Session,
    *,
    practice: Practice,
    patient: Patient,
    contact: Contact,
    relationship: str,
    actor: str,
) -> None:
    allowed = RELATIONSHIPS[practice.kind]
    if relationship not in allowed:
        raise Invalid(f"relationship must be one of {', '.join(allowed)}")
    link = session.get(ContactPatient, (contact.id, patient.id))
    if link is not None:
        if link.relationship_kind != relationship:
            link.relationship_kind = relationship
        return
    session.add(ContactPatient(contact=contact, patient=patient, relationship_kind=relationship))
    session.flush()
    audit.record(
        session,
        practice_id=practice.id,
        actor=actor,
        action="contact.linked",
        entity=patient,
        details={"contact_id": contact.id, "relationship": relationship},
    )


def _patient_values(
    session: Session, practice: Practice, fields: dict[str, Any], *, new: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if new or "name" in fields:
        values["name"] = _name(fields.get("name") or "", "name")
    for field in ("species", "breed", "diagnosis"):
        if field in fields:
            values[field] = (fields[field] or "").strip() or None
    if practice.kind != "veterinary" and (values.get("species") or values.get("breed")):
        raise Invalid("species and breed are for pets")
    if "date_of_birth" in fields:
        born = fields["date_of_birth"]
        if born is not None and born > date.today():
            raise Invalid("the date of birth is in the future")
        values["date_of_birth"] = born
    if "primary_clinician_id" in fields:
        clinician_id = fields["primary_clinician_id"]
        if clinician_id is not None:
            clinician = session.get(StaffUser, clinician_id)
            if clinician is None or clinician.practice_id != practice.id:
                raise Invalid("no such clinician here")
            if clinician.role not in ("oncologist", "surgeon", "nurse"):
                raise Invalid(f"{clinician.name} is not a clinician")
        values["primary_clinician_id"] = clinician_id
    return values


def _change(
    session: Session,
    practice: Practice,
    row: Contact | Patient,
    values: dict[str, Any],
    *,
    actor: str,
    action: str,
) -> list[str]:
    """Set the values that differ and audit which fields changed (not their values)."""
    changed = assign_changed(row, values)
    if changed:
        audit.record(
            session,
            practice_id=practice.id,
            actor=actor,
            action=action,
            entity=row,
            details={"fields": changed},
        )
    return changed


def _name(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Invalid(f"give the {what}")
    return cleaned


def _phone(practice: Practice, text: str) -> str:
    try:
        return to_e164(text, region=region_of(practice.phone))
    except NotAPhoneNumber as exc:
        raise Invalid(str(exc)) from exc

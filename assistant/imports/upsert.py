"""The one step that applies records to the database: an upsert by (practice, source id).

Each function returns what happened to its record (created, updated, unchanged) or raises
RowRefused with the reason; the caller runs each in a savepoint, so a refused row leaves
nothing behind. Appointments are applied in `assistant.imports.visits`.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.audit import record as audit
from assistant.db.changes import assign_changed
from assistant.db.models import Contact, ContactPatient, LabResult, Patient, Practice, StaffUser
from assistant.imports.records import (
    ContactRecord,
    LabResultRecord,
    LinkRecord,
    PatientRecord,
    StaffRecord,
)
from assistant.imports.report import Outcome


class RowRefused(Exception):
    """A record that cannot be applied; the message says why."""


def by_source_id(session: Session, model: Any, practice: Practice, source_id: str) -> Any:
    return session.scalars(
        select(model).where(model.practice_id == practice.id, model.source_id == source_id)
    ).first()


def patient_for(session: Session, practice: Practice, source_id: str) -> Patient:
    patient: Patient | None = by_source_id(session, Patient, practice, source_id)
    if patient is None:
        raise RowRefused(f"unknown patient id {source_id!r}")
    return patient


def staff_for(session: Session, practice: Practice, provider: str) -> StaffUser:
    """A clinician named by e-mail or by their identifier in the source system."""
    if "@" in provider:
        query = select(StaffUser).where(func.lower(StaffUser.email) == provider.lower())
    else:
        query = select(StaffUser).where(StaffUser.source_id == provider)
    staff = session.scalars(query.where(StaffUser.practice_id == practice.id)).first()
    if staff is None:
        raise RowRefused(
            f"unknown provider {provider!r} (give an e-mail, a staff source id, or map it "
            "under providers: in the mapping file)"
        )
    return staff


def apply_staff(
    session: Session, practice: Practice, rec: StaffRecord, *, now: datetime, actor: str
) -> Outcome:
    """The source's id for one of our staff, found by e-mail. Staff themselves come from the
    practice file: an unknown e-mail is refused, never added."""
    lowered = [email.lower() for email in rec.emails]
    staff = session.scalars(
        select(StaffUser).where(
            StaffUser.practice_id == practice.id, func.lower(StaffUser.email).in_(lowered)
        )
    ).first()
    if staff is None:
        named = ", ".join(rec.emails) if rec.emails else "no e-mail"
        raise RowRefused(
            f"no staff member here with e-mail {named}; add them to the practice file, or "
            "give the practitioner their e-mail in the source"
        )
    if staff.source_id == rec.source_id:
        return "unchanged"
    holder = by_source_id(session, StaffUser, practice, rec.source_id)
    if holder is not None:
        raise RowRefused(f"{rec.source_id} is already {holder.email} here")
    if staff.source_id is not None:
        raise RowRefused(f"{staff.email} is already {staff.source_id} here")
    staff.source_id = rec.source_id
    audit(
        session,
        practice_id=practice.id,
        actor=actor,
        action="staff.source_linked",
        entity=staff,
        details={"source_id": rec.source_id},
    )
    session.flush()
    return "updated"


def apply_contact(
    session: Session, practice: Practice, rec: ContactRecord, *, now: datetime, actor: str
) -> Outcome:
    contact = by_source_id(session, Contact, practice, rec.source_id)
    holder = session.scalars(
        select(Contact).where(Contact.practice_id == practice.id, Contact.phone == rec.phone)
    ).first()
    if holder is not None and holder is not contact:
        if contact is not None or holder.source_id is not None:
            raise RowRefused(
                f"phone {rec.phone} already belongs to another client"
                + (f" (id {holder.source_id!r})" if holder.source_id else "")
            )
        # Someone who texted us before the import (or was entered here): the same person.
        contact = holder
    if contact is None:
        contact = Contact(
            practice_id=practice.id,
            source_id=rec.source_id,
            phone=rec.phone,
            first_name=rec.first_name,
            last_name=rec.last_name,
            consent=rec.consent or "unknown",
            consent_changed_at=now if rec.consent else None,
            created_at=now,
        )
        session.add(contact)
        session.flush()
        return "created"
    changed = bool(
        assign_changed(
            contact,
            {
                "source_id": rec.source_id,
                "phone": rec.phone,
                "first_name": rec.first_name,
                "last_name": rec.last_name,
            },
        )
    )
    consent = merged_consent(contact.consent, rec.consent)
    if consent != contact.consent:
        audit(
            session,
            practice_id=practice.id,
            actor=actor,
            action="consent.imported",
            entity=contact,
            details={"from": contact.consent, "to": consent},
        )
        contact.consent = consent
        contact.consent_changed_at = now
        changed = True
    session.flush()
    return "updated" if changed else "unchanged"


def merged_consent(ours: str, stated: str | None) -> str:
    """The consent after an import: an opt-out in the source is applied (the client told the
    front desk), an opt-in only replaces `unknown`: an opt-out the client gave us (STOP) ends
    only when they text START."""
    if stated == "opted_out":
        return "opted_out"
    if stated == "opted_in" and ours == "unknown":
        return "opted_in"
    return ours


def apply_patient(
    session: Session, practice: Practice, rec: PatientRecord, *, now: datetime, actor: str
) -> Outcome:
    fields: dict[str, Any] = {
        "name": rec.name,
        "species": rec.species,
        "breed": rec.breed,
        "date_of_birth": rec.date_of_birth,
    }
    if rec.diagnosis is not None:  # a report without the column keeps what staff wrote
        fields["diagnosis"] = rec.diagnosis
    if rec.clinician is not None:
        fields["primary_clinician_id"] = staff_for(session, practice, rec.clinician).id
    patient = by_source_id(session, Patient, practice, rec.source_id)
    if patient is None:
        session.add(
            Patient(
                practice_id=practice.id,
                source_id=rec.source_id,
                kind="animal" if practice.kind == "veterinary" else "human",
                status="active",
                **fields,
            )
        )
        session.flush()
        return "created"
    changed = assign_changed(patient, fields)
    session.flush()
    return "updated" if changed else "unchanged"


def apply_link(
    session: Session, practice: Practice, rec: LinkRecord, *, now: datetime, actor: str
) -> Outcome:
    contact = by_source_id(session, Contact, practice, rec.client_source_id)
    if contact is None:
        raise RowRefused(f"unknown client id {rec.client_source_id!r}")
    patient = patient_for(session, practice, rec.patient_source_id)
    link = session.get(ContactPatient, (contact.id, patient.id))
    if link is None:
        session.add(
            ContactPatient(
                contact_id=contact.id, patient_id=patient.id, relationship_kind=rec.relationship
            )
        )
        session.flush()
        return "created"
    changed = assign_changed(link, {"relationship_kind": rec.relationship})
    session.flush()
    return "updated" if changed else "unchanged"


def apply_lab_result(
    session: Session, practice: Practice, rec: LabResultRecord, *, now: datetime, actor: str
) -> Outcome:
    patient = patient_for(session, practice, rec.patient_source_id)
    result = by_source_id(session, LabResult, practice, rec.source_id)
    fields = {
        "patient_id": patient.id,
        "test_code": rec.test_code,
        "collected_at": rec.collected_at,
    }
    if result is None:
        session.add(
            LabResult(practice_id=practice.id, source_id=rec.source_id, recorded_at=now, **fields)
        )
        session.flush()
        return "created"
    changed = assign_changed(result, fields)
    session.flush()
    return "updated" if changed else "unchanged"

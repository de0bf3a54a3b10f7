"""How the FHIR exports name the practice's people and records.

Each reference is logical (an identifier and a display name, no resource URL): the practice's
own system has its own ids for these people. A record imported from that system carries its
id there (`source_id`), which is what the reference holds then; anything else is named by the
assistant's own id, under a system of its own for each kind of record."""

from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.reference import Reference

from assistant.db.models import Contact, Patient, Practice, StaffUser

ASSISTANT_SYSTEM = "urn:oncology-assistant"
# Extensions this assistant defines for what FHIR has no element for (a message's time
# inside a Communication's payload, say).
EXTENSION_BASE = f"{ASSISTANT_SYSTEM}:fhir:extension:"


def system(practice: Practice, kind: str, *, source: bool = False) -> str:
    """`urn:oncology-assistant:<practice>:<kind>` for the assistant's ids, and
    `...:<kind>:source-id` for ids from the practice's own record system."""
    base = f"{ASSISTANT_SYSTEM}:{practice.slug}:{kind}"
    return f"{base}:source-id" if source else base


def identifier(practice: Practice, kind: str, record_id: int, source_id: str | None) -> Identifier:
    if source_id:
        return Identifier(system=system(practice, kind, source=True), value=source_id)
    return Identifier(system=system(practice, kind), value=str(record_id))


def patient_reference(practice: Practice, patient: Patient) -> Reference:
    return Reference(
        type="Patient",
        identifier=identifier(practice, "patient", patient.id, patient.source_id),
        display=patient.name,
    )


def contact_reference(
    practice: Practice, contact: Contact, relationship: str | None, patient: Patient | None
) -> Reference:
    """A patient texting for themself is the Patient; an owner or caregiver a RelatedPerson."""
    if relationship == "self" and patient is not None:
        return patient_reference(practice, patient)
    return Reference(
        type="RelatedPerson",
        identifier=identifier(practice, "contact", contact.id, contact.source_id),
        display=f"{contact.first_name} {contact.last_name}",
    )


def staff_reference(practice: Practice, staff: StaffUser) -> Reference:
    return Reference(
        type="Practitioner",
        identifier=identifier(practice, "staff", staff.id, staff.source_id),
        display=f"{staff.name} ({staff.role})",
    )


def practice_reference(practice: Practice) -> Reference:
    return Reference(
        type="Organization",
        identifier=Identifier(system=f"{ASSISTANT_SYSTEM}:practice", value=practice.slug),
        display=practice.name,
    )

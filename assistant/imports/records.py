"""The plain records a CSV row or a FHIR resource becomes, before anything touches the
database.

Each keeps its identifier in the source system (`source_id`) and where it came from
(`origin`), so a refusal can name the file and line (or the FHIR resource).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

# The kinds of CSV export, in the order an import applies them: each kind refers only to
# kinds before it.
KINDS = ("clients", "patients", "links", "appointments", "labs")
Kind = Literal["clients", "patients", "links", "appointments", "labs"]
# Every kind of record, in the order they are applied: a FHIR source also names which of our
# staff its practitioners are, and its appointments refer to them.
RECORD_KINDS = ("staff", *KINDS)

Consent = Literal["opted_in", "opted_out"]
VisitStatus = Literal["booked", "cancelled", "completed"]


@dataclass(frozen=True)
class Origin:
    """Where a record was read: the file's name and the line its row starts on; for FHIR, the
    Bundle (or "server"), the entry's number in it and the resource (`Patient/example`)."""

    file: str
    line: int
    resource: str | None = None


@dataclass(frozen=True)
class StaffRecord:
    """One of our staff as the source knows them: matched by e-mail, given the source's id."""

    origin: Origin
    source_id: str
    emails: tuple[str, ...]


@dataclass(frozen=True)
class ContactRecord:
    origin: Origin
    source_id: str
    first_name: str
    last_name: str
    phone: str  # E.164
    consent: Consent | None  # None: the export does not say


@dataclass(frozen=True)
class PatientRecord:
    origin: Origin
    source_id: str
    name: str
    species: str | None
    breed: str | None
    date_of_birth: date | None
    diagnosis: str | None
    # The primary clinician: an e-mail or the staff member's source id (None: left as is).
    clinician: str | None = None


@dataclass(frozen=True)
class LinkRecord:
    """A client who may speak for a patient (its owner, a caregiver, the patient itself)."""

    origin: Origin
    client_source_id: str
    patient_source_id: str
    relationship: str  # owner | caregiver | self


@dataclass(frozen=True)
class AppointmentRecord:
    origin: Origin
    source_id: str
    patient_source_id: str
    type_code: str  # our appointment type code, already mapped from the export's name
    provider: str  # an e-mail or the staff member's source id, already mapped
    starts_at: datetime  # UTC
    status: VisitStatus


@dataclass(frozen=True)
class LabResultRecord:
    origin: Origin
    source_id: str
    patient_source_id: str
    test_code: str
    collected_at: datetime  # UTC


Record = (
    StaffRecord | ContactRecord | PatientRecord | LinkRecord | AppointmentRecord | LabResultRecord
)

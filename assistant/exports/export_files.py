"""What a staff member asks to export, checked, built and audited: the one path the api's
routes and `python -m assistant export` both take.

Each function checks the person's permission (the table in assistant/staff/permissions.py)
and keeps to their own practice (another practice's patient or case is "not found"), builds
the file, and adds its audit rows; the caller commits."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from assistant.db.models import Escalation, Patient, Practice, StaffUser
from assistant.db.models.escalation import CaseStatus
from assistant.errors import Conflict, Invalid, NotAllowed, NotFound
from assistant.exports import fhir_appointments, fhir_communications
from assistant.exports.bookings_csv import bookings_csv
from assistant.exports.case_records import case_record, patient_cases, practice_cases
from assistant.exports.export_audit import audit_export
from assistant.exports.formats import BOOKING_FORMATS, PATIENT_FORMATS
from assistant.exports.patient_csv import patient_csv
from assistant.exports.patient_pdf import patient_pdf
from assistant.exports.period import (
    MAX_PATIENT_PERIOD_DAYS,
    MAX_PRACTICE_PERIOD_DAYS,
    Period,
    period,
)
from assistant.exports.text_bookings import text_bookings
from assistant.exports.timeline import timeline
from assistant.staff.permissions import Permission, allowed

FHIR_JSON = "application/fhir+json"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def patient_record(
    session: Session,
    *,
    staff: StaffUser,
    patient_id: int,
    file_format: str,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
) -> ExportFile:
    """One patient's resolved cases and messages as CSV or PDF (all of them, or those
    resolved from `first` to `last`)."""
    _check(staff, Permission.EXPORT_PATIENT_RECORD)
    if file_format not in PATIENT_FORMATS:
        raise Invalid(f"format must be one of {', '.join(PATIENT_FORMATS)}")
    practice = session.get_one(Practice, staff.practice_id)
    patient = _own_patient(session, staff, patient_id)
    chosen = _optional_period(practice, first, last)
    records = patient_cases(session, patient, chosen)
    made = now or datetime.now(UTC)
    if file_format == "csv":
        export = ExportFile(
            patient_csv(patient, timeline(records, practice.timezone)),
            CSV,
            f"patient-{patient.id}-messages.csv",
        )
    else:
        covering = chosen.label() if chosen else "every resolved case on file"
        content = patient_pdf(
            practice=practice,
            patient=patient,
            records=records,
            covering=covering,
            generated_at=made,
        )
        export = ExportFile(content, PDF, f"patient-{patient.id}-messages.pdf")
    audit_export(
        session,
        staff=staff,
        export=f"patient messages {file_format}",
        patients=[patient],
        details={"cases": [r.case.id for r in records], "period": _label(chosen)},
    )
    return export


def case_communication(
    session: Session, *, staff: StaffUser, case_id: int, now: datetime | None = None
) -> ExportFile:
    """One resolved case of a human practice as a FHIR Communication."""
    _check(staff, Permission.EXPORT_PATIENT_RECORD)
    case = session.get(Escalation, case_id)
    if case is None or case.practice_id != staff.practice_id:
        raise NotFound("no such case")
    if case.status != CaseStatus.RESOLVED:
        raise Conflict(f"case {case.id} is not resolved yet: only resolved cases are exported")
    record = case_record(session, case)
    resource = fhir_communications.communication(record)
    audit_export(
        session,
        staff=staff,
        export="case communication fhir",
        patients=[record.patient] if record.patient else [],
        unattributed_cases=[] if record.patient else [case],
        details={"cases": [case.id]},
    )
    return ExportFile(resource.model_dump_json().encode(), FHIR_JSON, f"case-{case.id}.fhir.json")


def practice_communications(
    session: Session, *, staff: StaffUser, first: date, last: date, now: datetime | None = None
) -> ExportFile:
    """Every case of the practice resolved in the period, as a FHIR Bundle of
    Communications."""
    _check(staff, Permission.EXPORT_PRACTICE_RECORDS)
    practice = session.get_one(Practice, staff.practice_id)
    chosen = period(first, last, timezone=practice.timezone, max_days=MAX_PRACTICE_PERIOD_DAYS)
    records = practice_cases(session, practice, chosen)
    bundle = fhir_communications.bundle(records, at=now or datetime.now(UTC))
    audit_export(
        session,
        staff=staff,
        export="practice communications fhir",
        patients=[r.patient for r in records if r.patient is not None],
        practice_wide=practice,
        unattributed_cases=[r.case for r in records if r.patient is None],
        details={"period": chosen.label(), "cases": len(records)},
    )
    return ExportFile(
        bundle.model_dump_json().encode(),
        FHIR_JSON,
        f"{practice.slug}-cases-{first.isoformat()}-{last.isoformat()}.fhir.json",
    )


def bookings_by_text(
    session: Session,
    *,
    staff: StaffUser,
    first: date,
    last: date,
    file_format: str,
    now: datetime | None = None,
) -> ExportFile:
    """The visits booked, moved or cancelled by text in the period: FHIR Appointments (human
    practices) or CSV (any practice)."""
    _check(staff, Permission.EXPORT_TEXT_BOOKINGS)
    if file_format not in BOOKING_FORMATS:
        raise Invalid(f"format must be one of {', '.join(BOOKING_FORMATS)}")
    practice = session.get_one(Practice, staff.practice_id)
    chosen = period(first, last, timezone=practice.timezone, max_days=MAX_PRACTICE_PERIOD_DAYS)
    changes = text_bookings(session, practice, chosen)
    name = f"{practice.slug}-text-bookings-{first.isoformat()}-{last.isoformat()}"
    if file_format == "fhir":
        bundle = fhir_appointments.appointments_bundle(
            practice, changes, at=now or datetime.now(UTC)
        )
        export = ExportFile(bundle.model_dump_json().encode(), FHIR_JSON, f"{name}.fhir.json")
    else:
        export = ExportFile(bookings_csv(practice, changes), CSV, f"{name}.csv")
    audit_export(
        session,
        staff=staff,
        export=f"bookings by text {file_format}",
        patients=[c.patient for c in changes],
        practice_wide=practice,
        details={"period": chosen.label(), "changes": len(changes)},
    )
    return export


def _check(staff: StaffUser, permission: Permission) -> None:
    if not allowed(staff.role, permission):
        raise NotAllowed(f"your role may not {permission.value}")


def _own_patient(session: Session, staff: StaffUser, patient_id: int) -> Patient:
    # Another practice's patient answers exactly like a missing one.
    patient = session.get(Patient, patient_id)
    if patient is None or patient.practice_id != staff.practice_id:
        raise NotFound("no such patient")
    return patient


def _optional_period(practice: Practice, first: date | None, last: date | None) -> Period | None:
    if first is None and last is None:
        return None
    if first is None or last is None:
        raise Invalid("give both ends of the period (from and to), or neither for every case")
    return period(first, last, timezone=practice.timezone, max_days=MAX_PATIENT_PERIOD_DAYS)


def _label(chosen: Period | None) -> str:
    return chosen.label() if chosen else "all"

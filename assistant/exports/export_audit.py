"""Every export is in the audit log as a read of each patient's record it carries (one row
per export, not once a window like a page view: each one is a copy leaving the assistant),
and a practice-wide export also as one row on the practice."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Escalation, Patient, Practice, StaffUser

PATIENT_EXPORTED = "patient.record_exported"
PRACTICE_EXPORTED = "practice.records_exported"
CASE_EXPORTED = "case.exported"


def audit_export(
    session: Session,
    *,
    staff: StaffUser,
    export: str,
    patients: Iterable[Patient],
    practice_wide: Practice | None = None,
    unattributed_cases: Iterable[Escalation] = (),
    details: dict[str, Any] | None = None,
) -> None:
    """Rows in the caller's transaction. `unattributed_cases`: cases exported that no patient
    could be told for, each recorded on itself."""
    actor = f"staff:{staff.id}"
    about = {"export": export, **(details or {})}
    unique = {p.id: p for p in patients}
    for patient in unique.values():
        record(
            session,
            practice_id=staff.practice_id,
            actor=actor,
            action=PATIENT_EXPORTED,
            entity=patient,
            details=about,
        )
    for case in unattributed_cases:
        record(
            session,
            practice_id=staff.practice_id,
            actor=actor,
            action=CASE_EXPORTED,
            entity=case,
            details=about,
        )
    if practice_wide is not None:
        record(
            session,
            practice_id=staff.practice_id,
            actor=actor,
            action=PRACTICE_EXPORTED,
            entity=practice_wide,
            details={**about, "patients": sorted(unique)},
        )

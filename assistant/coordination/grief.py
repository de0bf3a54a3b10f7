"""End of life: staff mark a pet palliative, euthanasia scheduled or deceased; reminders stop
at once, and the practice's support resources go out once at each stage."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import Patient, Practice, SupportResource
from assistant.db.models.people import PATIENT_STATUSES
from assistant.errors import Invalid
from assistant.outreach.due import ClientMessage, Due
from assistant.outreach.withdraw import GRIEF_RULE, withdraw_for_patient

END_OF_LIFE_STAGES = ("palliative", "euthanasia_scheduled", "deceased")
# A support message that could not go out within a week of the change is not sent late.
GRIEF_WINDOW = timedelta(days=7)


def set_patient_status(
    session: Session, *, patient: Patient, status: str, staff_id: int | None, now: datetime
) -> int:
    """Record a patient's new status; leaving active care withdraws every reminder still
    waiting in the outbox. Returns how many were withdrawn. The caller commits."""
    if status not in PATIENT_STATUSES:
        raise Invalid(f"status must be one of {', '.join(PATIENT_STATUSES)}")
    if patient.status == "deceased" and status != "deceased":
        raise Invalid("a patient recorded as deceased cannot be changed back")
    previous = patient.status
    patient.status = status
    patient.status_changed_at = now
    withdrawn = withdraw_for_patient(session, patient=patient, now=now) if status != "active" else 0
    record(
        session,
        practice_id=patient.practice_id,
        actor=f"staff:{staff_id}" if staff_id else "staff",
        action="patient.status",
        entity=patient,
        details={"from": previous, "to": status, "withdrawn": withdrawn},
    )
    return withdrawn


def grief_support(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """Once per stage, within a week of staff marking it: the stage's sympathy template with
    the practice's resources for that stage (none configured: nothing is sent)."""
    if practice.kind != "veterinary":
        return
    patients = session.scalars(
        select(Patient)
        .where(
            Patient.practice_id == practice.id,
            Patient.status.in_(END_OF_LIFE_STAGES),
            Patient.status_changed_at > now - GRIEF_WINDOW,
        )
        .order_by(Patient.id)
    ).all()
    for patient in patients:
        if patient.status_changed_at is None:
            continue
        resources = resources_for(session, practice, patient.status)
        if not resources:
            continue
        yield ClientMessage(
            key=f"grief-{patient.status}-patient-{patient.id}",
            rule=GRIEF_RULE,
            practice_id=practice.id,
            patient_id=patient.id,
            template_keys=(f"coordination.grief_{patient.status}",),
            values={
                "patient_name": patient.name,
                "resources": "; ".join(f"{r.title}: {r.detail}" for r in resources),
            },
            expires_at=patient.status_changed_at + GRIEF_WINDOW,
            reminder=False,
        )


def resources_for(session: Session, practice: Practice, stage: str) -> list[SupportResource]:
    """The practice's active resources for `stage`, in the order the practice set."""
    rows = session.scalars(
        select(SupportResource)
        .where(SupportResource.practice_id == practice.id, SupportResource.active.is_(True))
        .order_by(SupportResource.position, SupportResource.id)
    ).all()
    return [r for r in rows if stage in r.stages]

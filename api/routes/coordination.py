"""Staff API for proactive coordination: the practice's coming checkpoints and what is missing
for them, and the staff actions that fill the gaps (alerts resolved, a pet's status, a visit
completed, a lab result, a surgical case moved along). Any staff member may read; clinical
staff act. Times in and out are ISO 8601 with a time zone."""

from datetime import UTC, date, datetime

from fastapi import APIRouter, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import PatientPlanEditor, PatientPlanViewer
from api.deps import SessionDep
from assistant.audit import record, record_read
from assistant.coordination import surgical_cases
from assistant.coordination.grief import set_patient_status
from assistant.coordination.view import PatientCheckpoints, coordination_view
from assistant.db.models import (
    Appointment,
    LabResult,
    Patient,
    Practice,
    StaffAlert,
    StaffUser,
    SurgicalCase,
)

router = APIRouter(prefix="/api/v1/coordination", tags=["coordination"])


class AlertResolved(BaseModel):
    id: int
    resolved_at: datetime
    resolved_by: str


class StatusIn(BaseModel):
    status: str


class StatusOut(BaseModel):
    patient_id: int
    status: str
    withdrawn: int  # reminders taken back from the outbox


class CompleteIn(BaseModel):
    drug: str | None = Field(default=None, max_length=80)


class AppointmentOut(BaseModel):
    id: int
    status: str
    completed_at: datetime | None
    drug: str | None


class LabIn(BaseModel):
    test_code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")  # cbc, chemistry, ekg, ...
    collected_at: AwareDatetime


class LabOut(BaseModel):
    id: int
    patient_id: int
    test_code: str
    collected_at: datetime
    recorded_at: datetime


class CaseIn(BaseModel):
    patient_id: int
    ref: str = Field(min_length=1, max_length=40)
    procedure: str = Field(min_length=1, max_length=200)
    surgery_at: AwareDatetime
    surgeon_id: int | None = None
    payer_name: str | None = Field(default=None, max_length=120)
    tests: list[str] = Field(default_factory=list)
    sentinel_node_mapping: bool = False


class ItemDoneIn(BaseModel):
    done_at: AwareDatetime


class AuthorizationIn(BaseModel):
    status: str


class PathologyIn(BaseModel):
    received_at: AwareDatetime | None = None
    passed_on_at: AwareDatetime | None = None


class AdjuvantIn(BaseModel):
    kind: str


class ItemOut(BaseModel):
    kind: str
    code: str
    label: str
    window_days: int | None
    done_at: datetime | None
    state: str  # done | missing | expired


class CaseOut(BaseModel):
    id: int
    ref: str
    patient_id: int
    procedure: str
    surgery_at: datetime
    surgeon_id: int | None
    payer_name: str | None
    status: str
    authorization_status: str
    pathology_expected_on: date | None
    pathology_received_at: datetime | None
    pathology_passed_on_at: datetime | None
    adjuvant_therapy: str | None
    discharged_at: datetime | None
    items: list[ItemOut]


@router.get("", response_model=list[PatientCheckpoints])
@router.get("/", response_model=list[PatientCheckpoints], include_in_schema=False)
def checkpoints(
    staff: PatientPlanViewer, session: SessionDep, days: int = Query(default=14, ge=1, le=90)
) -> list[PatientCheckpoints]:
    """Per patient: visits in the next `days` days, live surgical cases, open alerts, and a
    short list of what is missing; soonest checkpoint first."""
    practice, now = session.get_one(Practice, staff.practice_id), datetime.now(UTC)
    record_read(session, staff=staff, action="coordination.viewed", entity=practice, now=now)
    return coordination_view(session, practice=practice, now=now, days=days)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertResolved)
def resolve_alert(alert_id: int, staff: PatientPlanEditor, session: SessionDep) -> AlertResolved:
    alert = session.get(StaffAlert, alert_id)
    if alert is None or alert.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such alert in your practice")
    if alert.resolved_at is not None:
        raise HTTPException(status_code=409, detail="the alert is already resolved")
    alert.resolved_at = datetime.now(UTC)
    alert.resolved_by_id = staff.id
    _audit(session, staff, "alert.resolved", alert, {"rule": alert.rule})
    session.commit()
    return AlertResolved(id=alert.id, resolved_at=alert.resolved_at, resolved_by=staff.name)


@router.post("/patients/{patient_id}/status", response_model=StatusOut)
def change_status(
    patient_id: int, body: StatusIn, staff: PatientPlanEditor, session: SessionDep
) -> StatusOut:
    """Palliative, euthanasia scheduled or deceased: every reminder still waiting stops."""
    patient = _patient(session, staff, patient_id)
    withdrawn = set_patient_status(
        session, patient=patient, status=body.status, staff_id=staff.id, now=datetime.now(UTC)
    )
    session.commit()
    return StatusOut(patient_id=patient.id, status=patient.status, withdrawn=withdrawn)


@router.post("/appointments/{appointment_id}/complete", response_model=AppointmentOut)
def complete_visit(
    appointment_id: int, body: CompleteIn, staff: PatientPlanEditor, session: SessionDep
) -> AppointmentOut:
    """The visit took place (with the drug given, for a treatment): the treatment summary
    to the owner follows."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such appointment in your practice")
    if appointment.status != "booked":
        raise HTTPException(
            status_code=409, detail=f"the appointment is {appointment.status}, not booked"
        )
    now = datetime.now(UTC)
    if appointment.starts_at > now:
        raise HTTPException(status_code=422, detail="the visit has not started yet")
    drug = body.drug.strip() if body.drug else None
    appointment.status = "completed"
    appointment.completed_at = now
    appointment.drug = drug or appointment.drug
    _audit(session, staff, "appointment.completed", appointment, {"drug": appointment.drug})
    session.commit()
    return AppointmentOut(
        id=appointment.id,
        status=appointment.status,
        completed_at=appointment.completed_at,
        drug=appointment.drug,
    )


@router.post("/patients/{patient_id}/labs", response_model=LabOut, status_code=201)
def record_lab(
    patient_id: int, body: LabIn, staff: PatientPlanEditor, session: SessionDep
) -> LabOut:
    patient = _patient(session, staff, patient_id)
    now = datetime.now(UTC)
    if body.collected_at > now:
        raise HTTPException(status_code=422, detail="collected_at is in the future")
    lab = LabResult(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        test_code=body.test_code,
        collected_at=body.collected_at,
        recorded_at=now,
        recorded_by_id=staff.id,
    )
    session.add(lab)
    session.flush()
    _audit(session, staff, "lab_result.recorded", lab, {"test_code": lab.test_code})
    session.commit()
    return LabOut(
        id=lab.id,
        patient_id=patient.id,
        test_code=lab.test_code,
        collected_at=lab.collected_at,
        recorded_at=lab.recorded_at,
    )


@router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(body: CaseIn, staff: PatientPlanEditor, session: SessionDep) -> CaseOut:
    patient = _patient(session, staff, body.patient_id)
    practice = session.get_one(Practice, staff.practice_id)
    now = datetime.now(UTC)
    case = surgical_cases.open_case(
        session,
        practice=practice,
        patient=patient,
        ref=body.ref,
        procedure=body.procedure,
        surgery_at=body.surgery_at,
        surgeon_id=body.surgeon_id,
        payer_name=body.payer_name,
        tests=body.tests,
        sentinel_node_mapping=body.sentinel_node_mapping,
        now=now,
        staff_id=staff.id,
    )
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/items/{code}/done", response_model=CaseOut)
def item_done(
    ref: str, code: str, body: ItemDoneIn, staff: PatientPlanEditor, session: SessionDep
) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    if body.done_at > now:
        raise HTTPException(status_code=422, detail="done_at is in the future")
    surgical_cases.mark_item_done(
        session, case=case, code=code, done_at=body.done_at, staff_id=staff.id
    )
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/authorization", response_model=CaseOut)
def authorization(
    ref: str, body: AuthorizationIn, staff: PatientPlanEditor, session: SessionDep
) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    surgical_cases.set_authorization(
        session, case=case, status=body.status, now=now, staff_id=staff.id
    )
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/pathology", response_model=CaseOut)
def pathology(
    ref: str, body: PathologyIn, staff: PatientPlanEditor, session: SessionDep
) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    if any(moment is not None and moment > now for moment in (body.received_at, body.passed_on_at)):
        raise HTTPException(status_code=422, detail="a pathology time is in the future")
    surgical_cases.record_pathology(
        session,
        case=case,
        received_at=body.received_at,
        passed_on_at=body.passed_on_at,
        staff_id=staff.id,
    )
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/adjuvant", response_model=CaseOut)
def adjuvant(ref: str, body: AdjuvantIn, staff: PatientPlanEditor, session: SessionDep) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    surgical_cases.record_adjuvant(session, case=case, kind=body.kind, now=now, staff_id=staff.id)
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/surgery-done", response_model=CaseOut)
def surgery_done(ref: str, staff: PatientPlanEditor, session: SessionDep) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    surgical_cases.mark_surgery_done(session, case=case, now=now, staff_id=staff.id)
    session.commit()
    return _case_out(case, now)


@router.post("/cases/{ref}/discharge", response_model=CaseOut)
def discharge(ref: str, staff: PatientPlanEditor, session: SessionDep) -> CaseOut:
    case = _case(session, staff, ref)
    now = datetime.now(UTC)
    surgical_cases.discharge(session, case=case, now=now, staff_id=staff.id)
    session.commit()
    return _case_out(case, now)


def _patient(session: Session, staff: StaffUser, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such patient in your practice")
    return patient


def _case(session: Session, staff: StaffUser, ref: str) -> SurgicalCase:
    case = session.scalars(
        select(SurgicalCase).where(
            SurgicalCase.practice_id == staff.practice_id, SurgicalCase.ref == ref
        )
    ).first()
    if case is None:
        raise HTTPException(status_code=404, detail=f"no case {ref!r} in your practice")
    return case


def _case_out(case: SurgicalCase, now: datetime) -> CaseOut:
    return CaseOut(
        id=case.id,
        ref=case.ref,
        patient_id=case.patient_id,
        procedure=case.procedure,
        surgery_at=case.surgery_at,
        surgeon_id=case.surgeon_id,
        payer_name=case.payer_name,
        status=case.status,
        authorization_status=case.authorization_status,
        pathology_expected_on=case.pathology_expected_on,
        pathology_received_at=case.pathology_received_at,
        pathology_passed_on_at=case.pathology_passed_on_at,
        adjuvant_therapy=case.adjuvant_therapy,
        discharged_at=case.discharged_at,
        items=[
            ItemOut(
                kind=item.kind,
                code=item.code,
                label=item.label,
                window_days=item.window_days,
                done_at=item.done_at,
                state=surgical_cases.item_state(case, item, now=now),
            )
            for item in case.items
        ],
    )


def _audit(
    session: Session, staff: StaffUser, action: str, entity: object, details: dict[str, object]
) -> None:
    record(
        session,
        practice_id=staff.practice_id,
        actor=f"staff:{staff.id}",
        action=action,
        entity=entity,
        details=details,
    )

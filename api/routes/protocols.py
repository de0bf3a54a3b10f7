"""Staff API for treatment protocols: the definitions, and booking a patient's series."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.auth import PatientPlanEditor, PatientPlanViewer
from api.deps import SessionDep
from assistant.audit import record
from assistant.db.models import AppointmentType, Patient, Practice, StaffUser
from assistant.scheduling.protocol_definitions import load_protocol, load_protocols
from assistant.scheduling.protocols import schedule_series, series_visits

router = APIRouter(prefix="/api/v1/staff", tags=["protocols"])


class ProtocolWeek(BaseModel):
    week: int
    drug: str | None  # None: a week without treatment


class ProtocolOut(BaseModel):
    code: str
    name: str
    practice_kind: str
    min_days_between_treatments: int
    weeks: list[ProtocolWeek]
    sources: list[str]


class SeriesIn(BaseModel):
    protocol: str = Field(min_length=1, max_length=40)
    # Wall-clock time at the practice, e.g. "2026-12-01T09:00".
    first_visit: datetime


class VisitOut(BaseModel):
    id: int
    kind: str  # treatment | cbc
    week: int | None
    drug: str | None
    appointment_type: str
    clinician: str
    starts_at: datetime
    local_start: str


class SeriesOut(BaseModel):
    series_id: int
    protocol: str
    patient_id: int
    visits: list[VisitOut]


@router.get("/protocols", response_model=list[ProtocolOut])
def list_protocols(staff: PatientPlanViewer) -> list[ProtocolOut]:
    return [
        ProtocolOut(
            code=p.code,
            name=p.name,
            practice_kind=p.practice_kind,
            min_days_between_treatments=p.min_days_between_treatments,
            weeks=[
                ProtocolWeek(week=n, drug=None if drug == "break" else drug)
                for n, drug in enumerate(p.weeks, start=1)
            ],
            sources=list(p.sources),
        )
        for p in sorted(load_protocols().values(), key=lambda p: p.code)
    ]


@router.post("/patients/{patient_id}/protocols", response_model=SeriesOut, status_code=201)
def start_protocol(
    patient_id: int, body: SeriesIn, staff: PatientPlanEditor, session: SessionDep
) -> SeriesOut:
    patient = session.get(Patient, patient_id)
    if patient is None or patient.practice_id != staff.practice_id:
        raise HTTPException(status_code=404, detail="no such patient in your practice")
    load_protocol(body.protocol)  # an unknown protocol is a 404
    practice = session.get_one(Practice, patient.practice_id)
    zone = ZoneInfo(practice.timezone)
    first = body.first_visit
    first = first.replace(tzinfo=zone) if first.tzinfo is None else first
    now = datetime.now(UTC)
    series = schedule_series(
        session,
        patient=patient,
        protocol_code=body.protocol,
        first_visit=first.astimezone(UTC),
        created_by_id=staff.id,
        now=now,
    )
    visits = series_visits(session, series)
    record(
        session,
        practice_id=patient.practice_id,
        actor=f"staff:{staff.id}",
        action="protocol.scheduled",
        entity=series,
        details={"patient": patient.id, "protocol": series.protocol_code, "visits": len(visits)},
    )
    session.commit()
    return SeriesOut(
        series_id=series.id,
        protocol=series.protocol_code,
        patient_id=patient.id,
        visits=[
            VisitOut(
                id=v.id,
                kind="treatment" if v.drug is not None else "cbc",
                week=v.protocol_step,
                drug=v.drug,
                appointment_type=session.get_one(AppointmentType, v.appointment_type_id).code,
                clinician=session.get_one(StaffUser, v.clinician_id).name,
                starts_at=v.starts_at,
                local_start=v.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )
            for v in visits
        ],
    )

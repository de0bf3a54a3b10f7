"""The coordination page's picture of a practice: per patient, what is coming (visits, surgery,
pathology) and what is still missing for it, with the alerts staff have not resolved."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.coordination.surgical_cases import item_state, missing_items
from assistant.coordination.visits import booked_visits, cbc_on_file
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Outreach,
    Patient,
    Practice,
    StaffAlert,
    SurgicalCase,
)
from assistant.scheduling.client_requests import visit_time_label

CBC_ON_FILE = "CBC on file"
CBC_MISSING = "CBC missing"


@dataclass(frozen=True)
class ReminderSent:
    """A proactive message recorded for a visit (it may have been held, expired or withdrawn)."""

    rule: str
    status: str  # OUTREACH_STATUSES
    created_at: datetime


@dataclass(frozen=True)
class VisitCheckpoint:
    appointment_id: int
    starts_at: datetime
    type_code: str
    type_name: str
    confirmed: bool
    labs: str | None  # CBC_ON_FILE | CBC_MISSING for visits that need one, else None
    reminders: list[ReminderSent]


@dataclass(frozen=True)
class CaseCheckpoint:
    case_id: int
    ref: str
    procedure: str
    surgery_at: datetime
    status: str  # scheduled | done
    tests_missing: list[str]  # not done yet
    tests_expired: list[str]  # done too long before the surgery to count for the payer
    tasks_open: list[str]
    authorization: str  # not_requested | pending | approved | denied
    documents_missing: list[str]
    # not expected yet | expected on <day> | overdue since <day> | received, not passed on |
    # passed on
    pathology: str
    pathology_expected_on: date | None
    follow_up_booked: bool
    discharged_at: datetime | None


@dataclass(frozen=True)
class AlertOut:
    id: int
    rule: str
    text: str
    created_at: datetime
    appointment_id: int | None
    surgical_case_id: int | None


@dataclass
class PatientCheckpoints:
    patient_id: int
    name: str
    status: str
    visits: list[VisitCheckpoint] = field(default_factory=list)
    cases: list[CaseCheckpoint] = field(default_factory=list)
    alerts: list[AlertOut] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # The soonest moment on the row (an alert's creation counts): the page's order.
    next_at: datetime | None = None


def coordination_view(
    session: Session, *, practice: Practice, now: datetime, days: int = 14
) -> list[PatientCheckpoints]:
    """Every patient of `practice` with a visit in the next `days` days, a surgical case not
    cancelled that still has something coming or missing, or an unresolved alert; soonest
    checkpoint first. A deceased pet appears only while an alert about it is open, and then
    with its alerts alone: its reminders were withdrawn when staff recorded the death."""
    zone = ZoneInfo(practice.timezone)
    rows: dict[int, PatientCheckpoints] = {}

    def row_for(patient: Patient) -> PatientCheckpoints:
        if patient.id not in rows:
            rows[patient.id] = PatientCheckpoints(
                patient_id=patient.id, name=patient.name, status=patient.status
            )
        return rows[patient.id]

    for alert, patient in _open_alerts(session, practice):
        row_for(patient).alerts.append(
            AlertOut(
                id=alert.id,
                rule=alert.rule,
                text=alert.text,
                created_at=alert.created_at,
                appointment_id=alert.appointment_id,
                surgical_case_id=alert.surgical_case_id,
            )
        )
    for appointment, kind, patient in booked_visits(
        session, practice, now, now + timedelta(days=days)
    ):
        if patient.status == "deceased":
            continue
        row = row_for(patient)
        visit = _visit(session, appointment, kind)
        row.visits.append(visit)
        if visit.labs == CBC_MISSING:
            when = visit_time_label(appointment.starts_at, zone)
            row.missing.append(f"CBC before {kind.name} on {when}")
    for case, patient in _live_cases(session, practice):
        if patient.status == "deceased":
            continue
        checkpoint = _case(session, case, now, zone)
        missing = _case_missing(checkpoint)
        if checkpoint.status == "done" and not missing:
            continue
        row = row_for(patient)
        row.cases.append(checkpoint)
        row.missing.extend(missing)

    for row in rows.values():
        row.next_at = min(_moments(row, zone), default=None)
    return sorted(
        rows.values(),
        key=lambda r: (r.next_at or datetime.max.replace(tzinfo=UTC), r.name, r.patient_id),
    )


def _open_alerts(session: Session, practice: Practice) -> list[tuple[StaffAlert, Patient]]:
    rows = session.execute(
        select(StaffAlert, Patient)
        .join(Patient, Patient.id == StaffAlert.patient_id)
        .where(StaffAlert.practice_id == practice.id, StaffAlert.resolved_at.is_(None))
        .order_by(StaffAlert.created_at, StaffAlert.id)
    ).all()
    return [(a, p) for a, p in rows]


def _visit(session: Session, appointment: Appointment, kind: AppointmentType) -> VisitCheckpoint:
    labs = None
    if kind.needs_labs:
        labs = CBC_ON_FILE if cbc_on_file(session, appointment) else CBC_MISSING
    reminders = session.scalars(
        select(Outreach)
        .where(Outreach.appointment_id == appointment.id)
        .order_by(Outreach.created_at, Outreach.id)
    ).all()
    return VisitCheckpoint(
        appointment_id=appointment.id,
        starts_at=appointment.starts_at,
        type_code=kind.code,
        type_name=kind.name,
        confirmed=appointment.confirmed_at is not None,
        labs=labs,
        reminders=[
            ReminderSent(rule=r.rule, status=r.status, created_at=r.created_at) for r in reminders
        ],
    )


def _live_cases(session: Session, practice: Practice) -> list[tuple[SurgicalCase, Patient]]:
    rows = session.execute(
        select(SurgicalCase, Patient)
        .join(Patient, Patient.id == SurgicalCase.patient_id)
        .where(SurgicalCase.practice_id == practice.id, SurgicalCase.status != "cancelled")
        .order_by(SurgicalCase.surgery_at, SurgicalCase.id)
    ).all()
    return [(c, p) for c, p in rows]


def _case(session: Session, case: SurgicalCase, now: datetime, zone: ZoneInfo) -> CaseCheckpoint:
    tests_missing: list[str] = []
    tests_expired: list[str] = []
    tasks_open: list[str] = []
    documents_missing: list[str] = []
    for item in missing_items(case, now=now):
        if item.kind == "test":
            expired = item_state(case, item, now=now) == "expired"
            (tests_expired if expired else tests_missing).append(item.label)
        else:
            (tasks_open if item.kind == "task" else documents_missing).append(item.label)
    return CaseCheckpoint(
        case_id=case.id,
        ref=case.ref,
        procedure=case.procedure,
        surgery_at=case.surgery_at,
        status=case.status,
        tests_missing=tests_missing,
        tests_expired=tests_expired,
        tasks_open=tasks_open,
        authorization=case.authorization_status,
        documents_missing=documents_missing,
        pathology=_pathology(case, now, zone),
        pathology_expected_on=case.pathology_expected_on,
        follow_up_booked=_follow_up_booked(session, case),
        discharged_at=case.discharged_at,
    )


def _pathology(case: SurgicalCase, now: datetime, zone: ZoneInfo) -> str:
    if case.pathology_passed_on_at is not None:
        return "passed on"
    if case.pathology_received_at is not None:
        return "received, not passed on"
    expected = case.pathology_expected_on
    if expected is None:
        return "not expected yet"
    if expected < now.astimezone(zone).date():
        return f"overdue since {expected.isoformat()}"
    return f"expected on {expected.isoformat()}"


def _follow_up_booked(session: Session, case: SurgicalCase) -> bool:
    """A visit booked (or already held) for the patient after the operation."""
    return (
        session.scalars(
            select(Appointment.id).where(
                Appointment.patient_id == case.patient_id,
                Appointment.status.in_(("booked", "completed")),
                Appointment.starts_at > case.surgery_at,
            )
        ).first()
        is not None
    )


def _case_missing(case: CaseCheckpoint) -> list[str]:
    """One short line per gap; a scheduled case's preparation, a done case's follow-through."""
    ref = case.ref
    missing: list[str] = []
    if case.status == "scheduled":
        missing += [f"{ref}: {label} not done" for label in case.tests_missing]
        missing += [f"{ref}: {label} expired" for label in case.tests_expired]
        missing += [f"{ref}: {label}" for label in case.tasks_open]
        if case.authorization != "approved":
            missing.append(f"{ref}: authorization {case.authorization.replace('_', ' ')}")
        missing += [f"{ref}: document {label}" for label in case.documents_missing]
        return missing
    if case.pathology.startswith("overdue"):
        missing.append(f"{ref}: pathology {case.pathology}")
    elif case.pathology == "received, not passed on":
        missing.append(f"{ref}: pathology received, not passed on")
    if not case.follow_up_booked:
        missing.append(f"{ref}: follow-up not booked")
    return missing


def _moments(row: PatientCheckpoints, zone: ZoneInfo) -> list[datetime]:
    moments = [v.starts_at for v in row.visits] + [a.created_at for a in row.alerts]
    for case in row.cases:
        if case.status == "scheduled":
            moments.append(case.surgery_at)
        elif case.pathology_expected_on is not None and case.pathology != "passed on":
            moments.append(_start_of(case.pathology_expected_on, zone))
    return moments


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

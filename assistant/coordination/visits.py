"""Veterinary treatment visits: reminders before, the lab check the day before, a summary after."""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    Appointment,
    AppointmentType,
    LabResult,
    Patient,
    Practice,
    StaffUser,
)
from assistant.outreach.due import ClientMessage, Due, StaffNotice
from assistant.scheduling.client_requests import visit_time_label

# Visits that get reminders: all but a phone call.
NOT_REMINDED = ("nurse_followup_call",)
REMINDER_DAYS_BEFORE = (2, 1)
# A blood count taken this long before a dose still counts for it.
CBC_VALID_FOR = timedelta(days=3)
LAB_CHECK_BEFORE = timedelta(hours=24)
# A treatment summary that could not go out within this long is no longer useful.
SUMMARY_WINDOW = timedelta(days=3)
NO_NEXT_VISIT = "not booked yet"


def previsit_reminders(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """A reminder 2 days and 1 day before each visit (practice calendar days), with the
    instructions of its visit type; the client replies C to confirm or R to reschedule."""
    if practice.kind != "veterinary":
        return
    zone = ZoneInfo(practice.timezone)
    today = now.astimezone(zone).date()
    for appointment, kind, patient in booked_visits(
        session, practice, now, now + timedelta(days=max(REMINDER_DAYS_BEFORE) + 1)
    ):
        if kind.code in NOT_REMINDED:
            continue
        visit_day = appointment.starts_at.astimezone(zone).date()
        for days in REMINDER_DAYS_BEFORE:
            reminder_day = visit_day - timedelta(days=days)
            if reminder_day > today:
                continue
            # A past reminder day is still yielded: one missed (caps, quiet hours) is then
            # recorded as expired, for the coordination page.
            yield ClientMessage(
                key=f"previsit-d{days}-appt-{appointment.id}",
                rule="previsit",
                practice_id=practice.id,
                patient_id=patient.id,
                template_keys=(f"coordination.previsit_{kind.code}", "coordination.previsit"),
                values={
                    "patient_name": patient.name,
                    "visit_type": kind.name,
                    "visit_time": visit_time_label(appointment.starts_at, zone),
                },
                expires_at=min(_end_of(reminder_day, zone), appointment.starts_at),
                appointment_id=appointment.id,
            )


def lab_readiness(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """Within 24 hours of a visit that needs a CBC, with no CBC on file: alert the oncologist
    (page and SMS) and remind the owner."""
    if practice.kind != "veterinary":
        return
    zone = ZoneInfo(practice.timezone)
    for appointment, kind, patient in booked_visits(session, practice, now, now + LAB_CHECK_BEFORE):
        if not kind.needs_labs or cbc_on_file(session, appointment):
            continue
        when = visit_time_label(appointment.starts_at, zone)
        yield StaffNotice(
            key=f"labs-missing-appt-{appointment.id}",
            rule="labs_missing",
            practice_id=practice.id,
            patient_id=patient.id,
            text=f"No CBC on file for {patient.name}'s {kind.name} on {when}.",
            staff_ids=_oncologists_for(session, practice, appointment, patient),
            appointment_id=appointment.id,
        )
        yield ClientMessage(
            key=f"labs-needed-appt-{appointment.id}",
            rule="labs_needed",
            practice_id=practice.id,
            patient_id=patient.id,
            template_keys=("coordination.labs_needed",),
            values={"patient_name": patient.name, "visit_time": when},
            expires_at=appointment.starts_at,
            appointment_id=appointment.id,
        )


def treatment_summaries(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """After a visit staff marked complete: the drug given, the next visit, what to watch for
    (the drug's own approved summary when there is one)."""
    if practice.kind != "veterinary":
        return
    zone = ZoneInfo(practice.timezone)
    rows = session.execute(
        select(Appointment, AppointmentType, Patient)
        .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            Appointment.practice_id == practice.id,
            Appointment.status == "completed",
            Appointment.completed_at > now - SUMMARY_WINDOW,
        )
        .order_by(Appointment.id)
    ).all()
    for appointment, kind, patient in rows:
        if kind.code in NOT_REMINDED or appointment.completed_at is None:
            continue
        drug = appointment.drug or kind.name
        following = next_visit(session, patient, after=now)
        yield ClientMessage(
            key=f"summary-appt-{appointment.id}",
            rule="treatment_summary",
            practice_id=practice.id,
            patient_id=patient.id,
            template_keys=(
                f"coordination.treatment_summary_{_slug(drug)}",
                "coordination.treatment_summary",
            ),
            values={
                "patient_name": patient.name,
                "drug": drug,
                "next_visit": visit_time_label(following.starts_at, zone)
                if following
                else NO_NEXT_VISIT,
            },
            expires_at=appointment.completed_at + SUMMARY_WINDOW,
            reminder=False,
            appointment_id=appointment.id,
        )


def cbc_on_file(session: Session, appointment: Appointment) -> bool:
    """A CBC taken in the 3 days before the visit is recorded."""
    return (
        session.scalars(
            select(LabResult.id).where(
                LabResult.patient_id == appointment.patient_id,
                LabResult.test_code == "cbc",
                LabResult.collected_at >= appointment.starts_at - CBC_VALID_FOR,
                LabResult.collected_at <= appointment.starts_at,
            )
        ).first()
        is not None
    )


def next_visit(session: Session, patient: Patient, *, after: datetime) -> Appointment | None:
    return session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == "booked",
            Appointment.starts_at > after,
        )
        .order_by(Appointment.starts_at)
    ).first()


def booked_visits(
    session: Session, practice: Practice, start: datetime, end: datetime
) -> list[tuple[Appointment, AppointmentType, Patient]]:
    """Booked visits starting after `start` and by `end`, soonest first, with their type and
    patient."""
    rows = session.execute(
        select(Appointment, AppointmentType, Patient)
        .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            Appointment.practice_id == practice.id,
            Appointment.status == "booked",
            Appointment.starts_at > start,
            Appointment.starts_at <= end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return [(a, k, p) for a, k, p in rows]


def _oncologists_for(
    session: Session, practice: Practice, appointment: Appointment, patient: Patient
) -> tuple[int, ...]:
    """The visit's oncologist, else the patient's, else every oncologist at the practice."""
    for staff_id in (appointment.clinician_id, patient.primary_clinician_id):
        staff = session.get(StaffUser, staff_id) if staff_id else None
        if staff is not None and staff.role == "oncologist" and staff.active:
            return (staff.id,)
    return tuple(
        session.scalars(
            select(StaffUser.id).where(
                StaffUser.practice_id == practice.id,
                StaffUser.role == "oncologist",
                StaffUser.active.is_(True),
            )
        )
    )


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def _slug(drug: str) -> str:
    """'L-asparaginase' -> 'l_asparaginase': the drug's part of a template key."""
    return re.sub(r"[^a-z0-9]+", "_", drug.lower()).strip("_")

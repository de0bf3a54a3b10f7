"""Approved test templates and a scheduler over the veterinary rules, with an injected clock."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.coordination.grief import grief_support
from assistant.coordination.visits import lab_readiness, previsit_reminders, treatment_summaries
from assistant.db.models import Appointment, OutboxMessage, Outreach
from assistant.outreach.caps import OutreachLimits
from assistant.outreach.scheduler import OutreachScheduler, Rule
from assistant.templates import Template, TemplateRegistry
from assistant.templates.registry import content_sha256
from tests.assistant.scheduling.clinic import CHICAGO, Clinic

TEXTS = {
    "vet.coordination.previsit_chemo_treatment": (
        "{patient_name} has chemo on {visit_time}. Reply C to confirm or R to reschedule."
    ),
    "vet.coordination.previsit": (
        "{patient_name}: {visit_type} on {visit_time}. Reply C to confirm or R to reschedule."
    ),
    "vet.coordination.labs_needed": "We have no CBC for {patient_name} for {visit_time}.",
    "vet.coordination.treatment_summary": (
        "{patient_name} had {drug} today. Next visit: {next_visit}."
    ),
    "vet.coordination.treatment_summary_doxorubicin": (
        "{patient_name} had doxorubicin today. Next visit: {next_visit}. Watch the leg."
    ),
    "vet.coordination.grief_deceased": "We are so sorry about {patient_name}. {resources}",
    "vet.coordination.grief_palliative": "Thinking of {patient_name}. {resources}",
    "both.booking.attendance_confirmed": (
        "Thank you. The {visit_type} for {patient_name} on {visit_time} is confirmed."
    ),
}


def registry() -> TemplateRegistry:
    return TemplateRegistry(
        Template(
            id=template_id,
            kind="both" if template_id.startswith("both.") else "veterinary",
            version=1,
            text=text,
            source="test",
            approved_by="test",
            approved_at="2026-11-27",
            approved_sha256=content_sha256(text, None),
        )
        for template_id, text in TEXTS.items()
    )


VET_RULES: tuple[Rule, ...] = (
    grief_support,
    lab_readiness,
    previsit_reminders,
    treatment_summaries,
)


def scheduler(
    *, rules: tuple[Rule, ...] = VET_RULES, limits: OutreachLimits | None = None
) -> OutreachScheduler:
    return OutreachScheduler(
        registry=registry(),
        rules=rules,
        limits=limits or OutreachLimits(per_day=5, per_week=20),
        coordination_url="http://test/coordination",
    )


def at(day: int, hhmm: str) -> datetime:
    """A December 2026 day and local (Chicago) time, in UTC."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(2026, 12, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


def book(session: Session, clinic: Clinic, starts_at: datetime, *, kind: str = "chemo") -> int:
    appointment_type = clinic.chemo if kind == "chemo" else clinic.cbc
    appointment = Appointment(
        practice_id=clinic.practice_id,
        patient_id=clinic.patient.id,
        appointment_type_id=appointment_type.id,
        clinician_id=clinic.oncologist.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=appointment_type.duration_minutes),
        status="booked",
    )
    session.add(appointment)
    session.commit()
    return appointment.id


def client_texts(session: Session) -> list[tuple[str, str | None, str]]:
    """(to, template id, body) of every proactive outbox row, oldest first."""
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "proactive").order_by(OutboxMessage.id)
    )
    return [(r.to_number, r.template_id, r.body) for r in rows]


def outreach_keys(session: Session) -> list[str]:
    return list(session.scalars(select(Outreach.key).order_by(Outreach.id)))

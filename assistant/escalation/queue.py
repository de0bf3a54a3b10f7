"""Open cases in the nurse queue."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import (
    ContactPatient,
    Conversation,
    Escalation,
    Message,
    Patient,
    Practice,
)
from assistant.db.models.escalation import PRIORITIES, CaseStatus, Priority
from assistant.practices.hours import close_of_next_business_day

# Deadlines from CLINICAL.md: acknowledge an emergency within 5 minutes, call back
# on an urgent case within 60 minutes, answer a routine question by the next business day.
IMMEDIATE_DEADLINES: dict[str, timedelta] = {
    Priority.EMERGENCY: timedelta(minutes=5),
    Priority.URGENT: timedelta(minutes=60),
}
# Which staff role picks up a case first: symptoms go to the oncology nurse, treatment
# questions to the treating clinician (the patient's own one when we know who that is).
ROLE_FOR_CATEGORY = {"billing": "billing"}
TREATMENT_CATEGORIES = ("clinical_question",)
CLINICIAN_ROLE = {"veterinary": "oncologist", "human": "surgeon"}
DEFAULT_ROLE = "nurse"
# A red flag in a conversation whose red-flag case is still open joins that case: the person
# already paged about it sees the new message there, and nobody is paged twice (issue 18: three
# red flags from one web-chat sender opened three cases and sent three pages).
RED_FLAG_PRIORITIES = (Priority.EMERGENCY, Priority.URGENT)
STILL_OPEN = (CaseStatus.OPEN, CaseStatus.CLAIMED)


def due_at(practice: Practice, priority: str, now: datetime) -> datetime:
    if priority in IMMEDIATE_DEADLINES:
        return now + IMMEDIATE_DEADLINES[priority]
    if priority != Priority.ROUTINE:
        raise ValueError(f"unknown priority {priority!r}")
    return close_of_next_business_day(practice.business_hours, practice.timezone, now)


def open_escalation(
    session: Session,
    *,
    conversation: Conversation,
    priority: str,
    category: str,
    now: datetime,
    red_flags: list[dict[str, Any]] | None = None,
) -> Escalation:
    """Open a case for the conversation's latest inbound message, quoting the client's words.

    One case per message: a second request for the same message returns the first case,
    raised to the more severe priority if needed.
    """
    practice = session.get_one(Practice, conversation.practice_id)
    message = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    existing = None
    if message is not None:
        existing = session.scalars(
            select(Escalation).where(Escalation.message_id == message.id)
        ).first()
    if existing is None and priority in RED_FLAG_PRIORITIES:
        existing = open_red_flag_case(session, conversation)
        if existing is not None:
            record(
                session,
                practice_id=practice.id,
                actor="bot",
                action="escalation.joined",
                entity=existing,
                details={"message_id": message.id if message else None, "priority": priority},
            )
    if existing is not None:
        same_message = message is not None and existing.message_id == message.id
        if (
            same_message
            and category in TREATMENT_CATEGORIES
            and existing.category not in TREATMENT_CATEGORIES
        ):
            # The dialogue's action opened the case for what it understood ("grief"); a gate
            # then found, in the same message, a question only a clinician may answer. The
            # queue shows it as that question, and it goes to the clinician who answers it.
            existing.category = category
            _route_to_role(session, existing, practice, conversation)
            record(
                session,
                practice_id=practice.id,
                actor="bot",
                action="escalation.recategorised",
                entity=existing,
                details={"category": category},
            )
        if _severity(priority) < _severity(existing.priority):
            existing.priority = priority
            existing.due_at = min(existing.due_at, due_at(practice, priority, now))
            record(
                session,
                practice_id=practice.id,
                actor="bot",
                action="escalation.raised",
                entity=existing,
                details={"priority": priority},
            )
        return existing
    escalation = Escalation(
        practice_id=practice.id,
        conversation_id=conversation.id,
        message_id=message.id if message else None,
        priority=priority,
        category=category,
        status=CaseStatus.OPEN,
        summary=message.body if message else "",
        red_flags=red_flags or [],
        due_at=due_at(practice, priority, now),
        created_at=now,
    )
    _route_to_role(session, escalation, practice, conversation)
    session.add(escalation)
    session.flush()
    record(
        session,
        practice_id=practice.id,
        actor="bot",
        action="escalation.opened",
        entity=escalation,
        details={"priority": priority, "category": category},
    )
    return escalation


def open_red_flag_case(session: Session, conversation: Conversation) -> Escalation | None:
    """The conversation's emergency or urgent case that nobody has resolved yet."""
    return session.scalars(
        select(Escalation)
        .where(
            Escalation.conversation_id == conversation.id,
            Escalation.status.in_(STILL_OPEN),
            Escalation.priority.in_(RED_FLAG_PRIORITIES),
        )
        .order_by(Escalation.id.desc())
        .limit(1)
    ).first()


def _route_to_role(
    session: Session, escalation: Escalation, practice: Practice, conversation: Conversation
) -> None:
    if escalation.category not in TREATMENT_CATEGORIES:
        escalation.assigned_role = ROLE_FOR_CATEGORY.get(escalation.category, DEFAULT_ROLE)
        return
    escalation.assigned_role = CLINICIAN_ROLE[practice.kind]
    if conversation.contact_id is None:
        return
    clinicians = set(
        session.scalars(
            select(Patient.primary_clinician_id)
            .join(ContactPatient, ContactPatient.patient_id == Patient.id)
            .where(ContactPatient.contact_id == conversation.contact_id)
        )
    ) - {None}
    if len(clinicians) == 1:  # with several pets under different doctors, the role decides
        escalation.assigned_staff_id = clinicians.pop()


def _severity(priority: str) -> int:
    return PRIORITIES.index(priority)


def most_urgent(priorities: list[str | None]) -> str | None:
    """The most severe of the given priorities, ignoring None; None if there are none."""
    given = [p for p in priorities if p is not None]
    return min(given, key=_severity) if given else None

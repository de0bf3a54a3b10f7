"""Resolved cases with the messages that passed while each was open: what every export of
cases is made from.

A conversation goes on for months and holds many cases, so a case's messages are those from
the client's message that opened it to its resolution. Who resolved it comes from the audit
log (the case keeps only who last held it)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from assistant.db.models import (
    AuditLog,
    Contact,
    ContactPatient,
    Conversation,
    Escalation,
    Message,
    Patient,
    Practice,
    StaffUser,
)
from assistant.db.models.escalation import CaseStatus
from assistant.errors import Invalid
from assistant.exports.case_patient import case_patient, contact_patients
from assistant.exports.period import Period
from assistant.messaging.outbox import delivery_states

# More cases than this in one export: ask for a shorter period rather than build an answer
# too large to hand over in one piece.
MAX_CASES = 1000


@dataclass(frozen=True)
class MessageRecord:
    id: int
    at: datetime
    direction: str  # in: from the client; out: to the client
    text: str
    # Who wrote it: the contact, a staff member, or the assistant (an approved template).
    author: str
    author_kind: str  # client | staff | assistant
    staff: StaffUser | None
    template_id: str | None
    # For a staff reply texted through the outbox: its delivery state, else None.
    delivery: str | None


@dataclass(frozen=True)
class CaseRecord:
    case: Escalation
    practice: Practice
    conversation: Conversation
    contact: Contact | None
    # How the contact stands to the patient: owner, self or caregiver (None: no patient).
    relationship: str | None
    patient: Patient | None
    messages: list[MessageRecord]
    resolved_by: StaffUser | None


class TooManyCases(Invalid):
    def __init__(self, found: int) -> None:
        super().__init__(
            f"more than {MAX_CASES} resolved cases ({found}) in this export: "
            "ask for a shorter period"
        )


def practice_cases(session: Session, practice: Practice, period: Period) -> list[CaseRecord]:
    """Every case of the practice resolved within `period`, oldest resolution first."""
    query = select(Escalation).where(
        Escalation.practice_id == practice.id,
        Escalation.status == CaseStatus.RESOLVED,
        Escalation.resolved_at >= period.starts_at,
        Escalation.resolved_at < period.ends_at,
    )
    return _records(session, practice, _bounded(session, query))


def patient_cases(
    session: Session, patient: Patient, period: Period | None = None
) -> list[CaseRecord]:
    """The resolved cases about one patient (within `period` when given), oldest first."""
    query = (
        select(Escalation)
        .join(Conversation, Conversation.id == Escalation.conversation_id)
        .join(ContactPatient, ContactPatient.contact_id == Conversation.contact_id)
        .where(
            Escalation.practice_id == patient.practice_id,
            Escalation.status == CaseStatus.RESOLVED,
            ContactPatient.patient_id == patient.id,
        )
    )
    if period is not None:
        query = query.where(
            Escalation.resolved_at >= period.starts_at, Escalation.resolved_at < period.ends_at
        )
    practice = session.get_one(Practice, patient.practice_id)
    records = _records(session, practice, _bounded(session, query))
    # The contact may speak for other patients too: keep the cases about this one.
    return [r for r in records if r.patient is not None and r.patient.id == patient.id]


def case_record(session: Session, case: Escalation) -> CaseRecord:
    """One case (resolved or not: the caller decides whether it may be exported)."""
    return _records(session, session.get_one(Practice, case.practice_id), [case])[0]


def patient_of_case(session: Session, case: Escalation) -> Patient | None:
    """The patient the case is about, when it can be told (assistant/exports/case_patient.py)."""
    conversation = session.get_one(Conversation, case.conversation_id)
    said = [m.body for m in _case_messages(session, case) if m.direction == "in"]
    return case_patient(contact_patients(session, conversation), said)


def _bounded(session: Session, query: Select[Escalation]) -> list[Escalation]:
    found = list(
        session.scalars(query.order_by(Escalation.resolved_at, Escalation.id).limit(MAX_CASES + 1))
    )
    if len(found) > MAX_CASES:
        raise TooManyCases(len(found))
    return found


def _records(session: Session, practice: Practice, cases: Sequence[Escalation]) -> list[CaseRecord]:
    staff = {
        s.id: s
        for s in session.scalars(select(StaffUser).where(StaffUser.practice_id == practice.id))
    }
    resolvers = _resolvers(session, cases)
    records = []
    for case in cases:
        conversation = session.get_one(Conversation, case.conversation_id)
        contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
        messages = _case_messages(session, case)
        patient = case_patient(
            contact_patients(session, conversation),
            [m.body for m in messages if m.direction == "in"],
        )
        records.append(
            CaseRecord(
                case=case,
                practice=practice,
                conversation=conversation,
                contact=contact,
                relationship=_relationship(session, contact, patient),
                patient=patient,
                messages=_message_records(session, messages, contact, staff),
                resolved_by=staff.get(resolvers.get(case.id) or case.claimed_by_id or -1),
            )
        )
    return records


def _case_messages(session: Session, case: Escalation) -> list[Message]:
    """From the message that opened the case to its resolution (to now while it is open)."""
    opening = (
        case.message_id
        or session.scalars(
            select(Message.id)
            .where(
                Message.conversation_id == case.conversation_id,
                Message.direction == "in",
                Message.created_at <= case.created_at,
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
    )
    query = select(Message).where(Message.conversation_id == case.conversation_id)
    if opening is not None:
        query = query.where(Message.id >= opening)
    else:
        query = query.where(Message.created_at >= case.created_at)
    if case.resolved_at is not None:
        query = query.where(Message.created_at <= case.resolved_at)
    return list(session.scalars(query.order_by(Message.created_at, Message.id)))


def _message_records(
    session: Session,
    messages: list[Message],
    contact: Contact | None,
    staff: dict[int, StaffUser],
) -> list[MessageRecord]:
    delivery = delivery_states(session, [m.id for m in messages if m.direction == "out"])
    client = f"{contact.first_name} {contact.last_name}" if contact else "unregistered sender"
    records = []
    for m in messages:
        author = staff.get(m.author_staff_id) if m.author_staff_id else None
        if m.direction == "in":
            name, kind = client, "client"
        elif author is not None:
            name, kind = author.name, "staff"
        else:
            name, kind = "assistant", "assistant"
        records.append(
            MessageRecord(
                id=m.id,
                at=m.created_at,
                direction=m.direction,
                text=m.body,
                author=name,
                author_kind=kind,
                staff=author,
                template_id=m.template_id,
                delivery=delivery.get(m.id),
            )
        )
    return records


def _resolvers(session: Session, cases: Sequence[Escalation]) -> dict[int, int]:
    """Case id to the id of the staff member who resolved it, from the audit log."""
    if not cases:
        return {}
    rows = session.execute(
        select(AuditLog.entity_id, AuditLog.actor)
        .where(
            AuditLog.action == "escalation.resolved",
            AuditLog.entity_type == Escalation.__tablename__,
            AuditLog.entity_id.in_([str(c.id) for c in cases]),
        )
        .order_by(AuditLog.id)
    )
    found: dict[int, int] = {}
    for entity_id, actor in rows:
        kind, _, actor_id = actor.partition(":")
        if kind == "staff" and actor_id.isdigit():
            found[int(entity_id)] = int(actor_id)  # the last resolution wins
    return found


def _relationship(session: Session, contact: Contact | None, patient: Patient | None) -> str | None:
    if contact is None or patient is None:
        return None
    link = session.get(ContactPatient, (contact.id, patient.id))
    return link.relationship_kind if link else None

"""What staff do with a case: claim it, reply to the client, reassign it, resolve it.

While a case is claimed its conversation is held: the bot stays silent there (safety triage
still runs). Resolving hands the conversation back to the assistant.
"""

from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import (
    Conversation,
    Escalation,
    Message,
    StaffUser,
)
from assistant.db.models.escalation import PRIORITIES, CaseStatus
from assistant.errors import Conflict
from assistant.messaging import staff_messages

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.CLAIMED)


class CaseError(Conflict):
    """A case action that cannot be done; the message says why, for the person who tried."""


class AlreadyClaimed(CaseError):
    pass


# Cases for billing staff (disputes, records for insurers) form their own queue; every other
# case is in the nurse queue.
BILLING_ROLE = "billing"


def queue(session: Session, *, practice_id: int, billing: bool = False) -> list[Escalation]:
    """Open and claimed cases of one practice, most severe first, then by deadline: the
    billing queue with `billing`, else the nurse queue."""
    severity = case(
        {priority: rank for rank, priority in enumerate(PRIORITIES)},
        value=Escalation.priority,
        else_=len(PRIORITIES),
    )
    return list(
        session.scalars(
            select(Escalation)
            .where(
                Escalation.practice_id == practice_id,
                Escalation.status.in_(OPEN_STATUSES),
                Escalation.assigned_role == BILLING_ROLE
                if billing
                else Escalation.assigned_role.is_distinct_from(BILLING_ROLE),
            )
            # Within a priority, a case whose reply did not reach the client comes first.
            .order_by(
                severity, Escalation.reply_failed_at.is_(None), Escalation.due_at, Escalation.id
            )
        )
    )


def get_case(session: Session, *, practice_id: int, escalation_id: int) -> Escalation | None:
    """The case, only if it belongs to this practice: staff never see another's cases."""
    found = session.get(Escalation, escalation_id)
    return found if found is not None and found.practice_id == practice_id else None


def claim(session: Session, *, escalation: Escalation, staff: StaffUser, now: datetime) -> None:
    """Take the case. Of two people claiming at once, exactly one wins: the update only
    matches while the case is still open, and the database serialises the two updates."""
    claimed = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation.id, Escalation.status == CaseStatus.OPEN)
        .values(status=CaseStatus.CLAIMED, claimed_by_id=staff.id, acknowledged_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise AlreadyClaimed("someone else has already claimed this case")
    session.refresh(escalation)
    _hold(session, escalation, staff)
    record(
        session,
        practice_id=escalation.practice_id,
        actor=f"staff:{staff.id}",
        action="escalation.claimed",
        entity=escalation,
    )


def reply(
    session: Session, *, escalation: Escalation, staff: StaffUser, text: str, now: datetime
) -> Message:
    """A message typed by staff, stored on the conversation and sent on the client's channel
    (by SMS through the outbox; web chat reads it from the conversation)."""
    if escalation.status != CaseStatus.CLAIMED or escalation.claimed_by_id != staff.id:
        raise CaseError("claim the case before replying")
    text = text.strip()
    if not text:
        raise CaseError("the reply is empty")
    conversation = session.get_one(Conversation, escalation.conversation_id)
    try:
        staff_messages.check_can_send(session, conversation=conversation)
    except staff_messages.ClientOptedOut as exc:
        raise CaseError(str(exc)) from exc
    message = Message(
        conversation_id=escalation.conversation_id,
        direction="out",
        body=text,
        author_staff_id=staff.id,
        created_at=now,
    )
    session.add(message)
    session.flush()
    escalation.reply_failed_at = None  # a new try; flagged again if this one fails too
    staff_messages.send_staff_message(session, conversation=conversation, message=message, now=now)
    record(
        session,
        practice_id=escalation.practice_id,
        actor=f"staff:{staff.id}",
        action="escalation.replied",
        entity=escalation,
        details={"message_id": message.id},
    )
    return message


def reassign(
    session: Session, *, escalation: Escalation, staff: StaffUser, to: StaffUser, now: datetime
) -> None:
    if to.practice_id != escalation.practice_id or not to.active:
        raise CaseError("a case can only go to an active colleague of the same practice")
    if escalation.status == CaseStatus.RESOLVED:
        raise CaseError("this case is already resolved")
    before = escalation.claimed_by_id
    escalation.status = CaseStatus.CLAIMED
    escalation.claimed_by_id = to.id
    escalation.acknowledged_at = escalation.acknowledged_at or now
    _hold(session, escalation, to)
    record(
        session,
        practice_id=escalation.practice_id,
        actor=f"staff:{staff.id}",
        action="escalation.reassigned",
        entity=escalation,
        details={"from": before, "to": to.id},
    )


def resolve(
    session: Session, *, escalation: Escalation, staff: StaffUser, note: str, now: datetime
) -> None:
    if escalation.status == CaseStatus.RESOLVED:
        raise CaseError("this case is already resolved")
    if not note.strip():
        raise CaseError("say in a note how the case was resolved")
    escalation.status = CaseStatus.RESOLVED
    escalation.resolution_note = note.strip()
    escalation.resolved_at = now
    escalation.acknowledged_at = escalation.acknowledged_at or now
    escalation.reply_failed_at = None  # resolving says the client was reached another way
    conversation = session.get_one(Conversation, escalation.conversation_id)
    if conversation.held_by_id is not None and not _other_claimed_cases(session, escalation):
        conversation.held_by_id = None  # hand the conversation back to the assistant
    record(
        session,
        practice_id=escalation.practice_id,
        actor=f"staff:{staff.id}",
        action="escalation.resolved",
        entity=escalation,
    )


def _hold(session: Session, escalation: Escalation, staff: StaffUser) -> None:
    conversation = session.get_one(Conversation, escalation.conversation_id)
    conversation.held_by_id = staff.id


def _other_claimed_cases(session: Session, escalation: Escalation) -> bool:
    return (
        session.scalars(
            select(Escalation.id).where(
                Escalation.conversation_id == escalation.conversation_id,
                Escalation.id != escalation.id,
                Escalation.status == CaseStatus.CLAIMED,
            )
        ).first()
        is not None
    )

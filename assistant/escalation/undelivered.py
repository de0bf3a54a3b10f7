"""A staff reply that did not reach the client puts its case back in front of the nurse.

Twilio reports a text as failed or undelivered minutes after the nurse pressed send, often
after the case was resolved; the client, meanwhile, thinks nobody answered. So each such
reply flags its case once (`reply_failed_at`): a resolved case comes back to the queue,
claimed by the person who wrote the reply, until someone replies again or resolves it (after
calling the client).
"""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import AuditLog, Conversation, Escalation, Message, OutboxMessage
from assistant.db.models.escalation import CaseStatus

logger = logging.getLogger(__name__)

FAILED = ("failed", "undelivered")


def notice_failed_replies(session: Session, *, now: datetime) -> list[Escalation]:
    """Flag the case of every staff reply whose text failed since the last look (flushed, not
    committed). Rows are locked so several api processes flag each failure once."""
    failed = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == "staff",
            OutboxMessage.status.in_(FAILED),
            OutboxMessage.message_id.is_not(None),
            OutboxMessage.failure_noticed_at.is_(None),
        )
        .order_by(OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).all()
    flagged = []
    for row in failed:
        row.failure_noticed_at = now
        reply = session.get_one(Message, row.message_id)
        escalation = _case_of(session, reply)
        if escalation is None:
            continue
        escalation.reply_failed_at = now
        if escalation.status == CaseStatus.RESOLVED:
            escalation.status = CaseStatus.CLAIMED
            escalation.claimed_by_id = reply.author_staff_id
            escalation.resolved_at = None
            # Claimed means held, as when a person claims it: the bot stays silent meanwhile.
            conversation = session.get_one(Conversation, escalation.conversation_id)
            conversation.held_by_id = reply.author_staff_id
        record(
            session,
            practice_id=escalation.practice_id,
            actor="system",
            action="escalation.reply_not_delivered",
            entity=escalation,
            details={"message_id": reply.id, "status": row.status, "error": row.error_code},
        )
        flagged.append(escalation)
    session.flush()
    return flagged


def _case_of(session: Session, reply: Message) -> Escalation | None:
    """The case the reply was written on, from the audit entry `casework.reply` writes (a
    conversation can have several cases open at once)."""
    cases = {
        str(case.id): case
        for case in session.scalars(
            select(Escalation).where(Escalation.conversation_id == reply.conversation_id)
        )
    }
    entries = session.scalars(
        select(AuditLog).where(
            AuditLog.action == "escalation.replied",
            AuditLog.entity_type == Escalation.__tablename__,
            AuditLog.entity_id.in_(cases),
        )
    )
    for entry in entries:
        if entry.details.get("message_id") == reply.id:
            return cases[entry.entity_id]
    logger.warning("staff message %s failed but names no case: not flagged", reply.id)
    return None

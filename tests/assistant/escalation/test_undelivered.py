"""A staff reply Twilio could not deliver puts its case back at the top of the nurse queue,
once, until someone replies again or resolves it; delivered replies leave the queue alone."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    AuditLog,
    Conversation,
    Escalation,
    Message,
    OutboxMessage,
    StaffUser,
)
from assistant.escalation import casework
from assistant.escalation.queue import open_escalation
from assistant.escalation.undelivered import notice_failed_replies
from assistant.messaging.outbox import DryRunGateway, deliver_pending, record_delivery_status
from tests.assistant.escalation.test_staff_reply import claimed_case

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
CLIENT = "+13125550177"


def _case(session: Session) -> tuple[Escalation, StaffUser]:
    return claimed_case(session, channel="sms", sender=CLIENT, priority="routine", now=NOW)


def _reply_and_report(
    session: Session, escalation: Escalation, nurse: StaffUser, status: str, *, at: datetime
) -> Message:
    """The nurse replies, the outbox sends it, and Twilio reports `status` for it."""
    message = casework.reply(
        session, escalation=escalation, staff=nurse, text="Yes, on Monday.", now=at
    )
    deliver_pending(session, gateway=DryRunGateway(), now=at)
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message.id)).one()
    row.provider_sid = f"SM{message.id:032d}"
    row.status = "queued"  # as Twilio's REST answer leaves a real send
    record_delivery_status(
        session, provider_sid=row.provider_sid, status=status, error_code="30003", now=at
    )
    session.flush()
    return message


def test_a_failed_reply_on_a_resolved_case_brings_it_back_to_the_person_who_wrote_it(
    session: Session,
) -> None:
    escalation, nurse = _case(session)
    _reply_and_report(session, escalation, nurse, "undelivered", at=NOW)
    casework.resolve(session, escalation=escalation, staff=nurse, note="answered", now=NOW)

    flagged = notice_failed_replies(session, now=NOW + timedelta(minutes=1))

    assert flagged == [escalation]
    assert escalation.status == "claimed"
    assert escalation.claimed_by_id == nurse.id
    assert escalation.reply_failed_at == NOW + timedelta(minutes=1)
    conversation = session.get_one(Conversation, escalation.conversation_id)
    assert conversation.held_by_id == nurse.id  # claimed again means held again
    assert escalation in casework.queue(session, practice_id=escalation.practice_id)
    audit = session.scalars(
        select(AuditLog).where(AuditLog.action == "escalation.reply_not_delivered")
    ).one()
    assert audit.details["status"] == "undelivered"


def test_each_failure_is_noticed_once_and_a_delivered_reply_never(session: Session) -> None:
    escalation, nurse = _case(session)
    _reply_and_report(session, escalation, nurse, "delivered", at=NOW)
    assert notice_failed_replies(session, now=NOW) == []
    assert escalation.reply_failed_at is None

    _reply_and_report(session, escalation, nurse, "failed", at=NOW + timedelta(minutes=5))
    assert notice_failed_replies(session, now=NOW + timedelta(minutes=6)) == [escalation]
    assert notice_failed_replies(session, now=NOW + timedelta(minutes=7)) == []


def test_a_new_reply_or_resolving_clears_the_flag(session: Session) -> None:
    escalation, nurse = _case(session)
    _reply_and_report(session, escalation, nurse, "failed", at=NOW)
    notice_failed_replies(session, now=NOW)
    assert escalation.reply_failed_at is not None

    casework.reply(session, escalation=escalation, staff=nurse, text="Trying again.", now=NOW)
    assert escalation.reply_failed_at is None

    _reply_and_report(session, escalation, nurse, "failed", at=NOW + timedelta(minutes=2))
    notice_failed_replies(session, now=NOW + timedelta(minutes=3))
    casework.resolve(session, escalation=escalation, staff=nurse, note="called them", now=NOW)
    assert escalation.reply_failed_at is None
    assert escalation not in casework.queue(session, practice_id=escalation.practice_id)


def test_within_a_priority_a_case_with_a_failed_reply_comes_first(session: Session) -> None:
    escalation, nurse = _case(session)
    conversation = session.get_one(Conversation, escalation.conversation_id)
    session.add(Message(conversation_id=conversation.id, direction="in", body="and his pills?"))
    sooner = open_escalation(
        session, conversation=conversation, priority="routine", category="question", now=NOW
    )
    sooner.due_at = escalation.due_at - timedelta(hours=1)
    assert casework.queue(session, practice_id=escalation.practice_id)[0] == sooner

    _reply_and_report(session, escalation, nurse, "undelivered", at=NOW + timedelta(minutes=1))
    notice_failed_replies(session, now=NOW + timedelta(minutes=2))

    assert casework.queue(session, practice_id=escalation.practice_id)[0] == escalation

"""Taking back proactive messages that have not gone yet."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.audit import record
from assistant.db.models import OutboxMessage, Outreach, Patient

# The only messages a family still receives once a pet has died.
GRIEF_RULE = "grief"


def withdraw_for_patient(session: Session, *, patient: Patient, now: datetime) -> int:
    """Withdraw every queued proactive message about `patient` that is still waiting in the
    outbox (a reminder held for the morning), except grief support; returns how many.

    Called in the same transaction as the status change, so no reminder for a pet marked
    deceased is sent after the change is committed.
    """
    outreach_ids = list(
        session.scalars(
            select(Outreach.id).where(
                Outreach.patient_id == patient.id,
                Outreach.status == "queued",
                Outreach.rule != GRIEF_RULE,
            )
        )
    )
    if not outreach_ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.outreach_id.in_(outreach_ids), OutboxMessage.status == "pending")
        .values(status="withdrawn", error_message="withdrawn: patient no longer in active care")
        .returning(OutboxMessage.outreach_id)
    )
    withdrawn = {row[0] for row in result}
    if withdrawn:
        session.execute(
            update(Outreach).where(Outreach.id.in_(withdrawn)).values(status="withdrawn")
        )
        record(
            session,
            practice_id=patient.practice_id,
            actor="bot",
            action="outreach.withdrawn",
            entity=patient,
            details={"outreach_ids": sorted(withdrawn), "at": now.isoformat()},
        )
    return len(withdrawn)

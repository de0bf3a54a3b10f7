from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import OutboxMessage
from assistant.messaging.outbox import DryRunGateway, deliver_pending
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)


def test_dry_run_marks_pending_messages_once(session: Session) -> None:
    practice = add_practice(session, kind="human")
    session.add_all(
        [
            OutboxMessage(practice_id=practice.id, to_number="+13125550177", body="page 1"),
            OutboxMessage(practice_id=practice.id, to_number="+13125550178", body="page 2"),
        ]
    )
    session.flush()

    assert deliver_pending(session, gateway=DryRunGateway(), now=NOW) == 2
    assert deliver_pending(session, gateway=DryRunGateway(), now=NOW) == 0
    rows = session.scalars(select(OutboxMessage)).all()
    assert [(r.status, r.attempts, r.sent_at) for r in rows] == [("dry_run", 1, NOW)] * 2

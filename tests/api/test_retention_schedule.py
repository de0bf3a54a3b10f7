"""The api applies each practice's retention period by itself (issue 18): nobody has to
remember a cron line for a practice's old messages to go."""

import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import Conversation, Message, Practice
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.conftest import with_demo_data


def test_messages_older_than_the_practices_period_are_removed_while_the_api_runs(
    sqlite_engine: Engine, triage: Triage
) -> None:
    sessions = make_session_factory(with_demo_data(sqlite_engine))
    with sessions() as session:
        practice = session.scalars(
            select(Practice).where(Practice.slug == "cedar-vet-oncology")
        ).one()
        assert practice.retention_days == 1095  # the demo's example period
        conversation = Conversation(practice_id=practice.id, channel="sms", sender_key="+1312")
        session.add(conversation)
        session.flush()
        now = datetime.now(UTC)
        for days, body in ((1100, "past the period"), (1000, "within it")):
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="in",
                    body=body,
                    created_at=now - timedelta(days=days),
                )
            )
        session.commit()

    def left() -> list[str]:
        with sessions() as session:
            return list(session.scalars(select(Message.body).order_by(Message.id)))

    with TestClient(demo_app(sqlite_engine, triage, retention_check_seconds=0.2)):
        deadline = time.monotonic() + 15
        while left() != ["within it"] and time.monotonic() < deadline:
            time.sleep(0.2)

    assert left() == ["within it"]

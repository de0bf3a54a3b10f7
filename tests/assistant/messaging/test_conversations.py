"""Two first messages from one sender at once start one conversation, on both databases."""

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from assistant.db.engine import make_session_factory
from assistant.db.models import Conversation, Practice
from assistant.messaging.conversations import conversation_for
from tests.conftest import add_practice

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_a_second_first_message_joins_the_conversation_the_first_started(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as setup:
        practice_id = add_practice(setup, kind="veterinary").id
        setup.commit()

    with sessions() as first, sessions() as second:
        started = conversation_for(
            first, first.get_one(Practice, practice_id), "sms", "+13125550120", NOW
        )
        joined: list[str] = []
        errors: list[BaseException] = []

        def second_message() -> None:
            try:
                conversation = conversation_for(
                    second, second.get_one(Practice, practice_id), "sms", "+13125550120", NOW
                )
                joined.append(conversation.id)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        # The second looks while the first's conversation is not yet committed, so it finds
        # none and its insert waits for the first to finish.
        thread = threading.Thread(target=second_message)
        thread.start()
        time.sleep(0.5)
        first.commit()
        thread.join(timeout=30)
        second.commit()

    assert errors == []
    assert joined == [started.id]
    with sessions() as check:
        assert check.scalar(select(func.count()).select_from(Conversation)) == 1

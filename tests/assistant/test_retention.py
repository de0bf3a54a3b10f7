"""Retention: old words go, what is still being worked on stays (issue 18)."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from assistant.db.models import (
    Conversation,
    Escalation,
    InboxMessage,
    Message,
    OutboxMessage,
    Picture,
)
from assistant.retention import (
    apply_retention_periods,
    purge,
    purge_tracker_events,
    tracker_engine,
)
from tests.conftest import add_practice

NOW = datetime(2027, 12, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=10)


def _conversation(session: Session, practice_id: int, key: str) -> Conversation:
    conversation = Conversation(practice_id=practice_id, channel="sms", sender_key=key)
    session.add(conversation)
    session.flush()
    return conversation


def _message(session: Session, conversation: Conversation, body: str, at: datetime) -> Message:
    message = Message(conversation_id=conversation.id, direction="in", body=body, created_at=at)
    session.add(message)
    session.flush()
    return message


def test_old_resolved_words_go_and_open_cases_keep_theirs(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    talk = _conversation(session, practice.id, "+13125550120")
    old_resolved = _message(session, talk, "old: she threw up", OLD)
    old_open = _message(session, talk, "old: still waiting on a call back", OLD)
    _message(session, talk, "recent: is chemo still on", RECENT)
    for message, status in ((old_resolved, "resolved"), (old_open, "open")):
        session.add(
            Escalation(
                practice_id=practice.id,
                conversation_id=talk.id,
                message_id=message.id,
                priority="routine",
                category="symptom",
                status=status,
                summary=message.body,
                due_at=OLD,
                created_at=OLD,
            )
        )
    session.add_all(
        [
            OutboxMessage(
                practice_id=practice.id,
                to_number="+1",
                body="old reply",
                status="delivered",
                created_at=OLD,
            ),
            OutboxMessage(
                practice_id=practice.id,
                to_number="+1",
                body="not sent yet",
                status="pending",
                created_at=OLD,
            ),
            InboxMessage(
                practice_id=practice.id,
                provider="twilio",
                provider_message_id="SMold",
                from_number="+1",
                to_number="+2",
                body="old",
                media_urls=["https://api.twilio.com/old-picture"],
                status="processed",
                received_at=OLD,
            ),
        ]
    )
    session.flush()
    old_sms = session.scalars(select(InboxMessage)).one()
    session.add(
        Picture(
            practice_id=practice.id,
            inbox_message_id=old_sms.id,
            provider_url=old_sms.media_urls[0],
            status="stored",
            data=b"\xff\xd8",
        )
    )
    session.flush()

    report = purge(session, older_than=timedelta(days=365), now=NOW)

    bodies = set(session.scalars(select(Message.body)))
    assert bodies == {"old: still waiting on a call back", "recent: is chemo still on"}
    assert [e.status for e in session.scalars(select(Escalation))] == ["open"]
    assert list(session.scalars(select(OutboxMessage.body))) == ["not sent yet"]
    assert session.scalars(select(InboxMessage)).all() == []
    assert session.scalars(select(Picture)).all() == []  # the client's picture went with it
    assert (report.cases, report.outbox, report.inbox, report.pictures, report.messages) == (
        1,
        1,
        1,
        1,
        1,
    )


def test_one_practice_at_a_time(session: Session) -> None:
    vet = add_practice(session, kind="veterinary")
    human = add_practice(session, kind="human")
    for practice in (vet, human):
        _message(session, _conversation(session, practice.id, f"k{practice.id}"), "old", OLD)

    purge(session, older_than=timedelta(days=30), now=NOW, practice_id=vet.id)

    left = session.scalars(select(Conversation.practice_id).join(Message)).all()
    assert left == [human.id]


def test_rasa_tracker_events_older_than_the_period_go(tmp_path: Path) -> None:
    tracker = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with tracker.begin() as db:
        db.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
        )
        db.execute(
            text("INSERT INTO events (sender_id, timestamp) VALUES ('a', :old), ('b', :new)"),
            {"old": OLD.timestamp(), "new": RECENT.timestamp()},
        )

    removed = purge_tracker_events(tracker, older_than=timedelta(days=365), now=NOW)

    with tracker.connect() as db:
        assert db.execute(text("SELECT sender_id FROM events")).scalars().all() == ["b"]
    assert removed == 1


@pytest.fixture
def database_file(
    tmp_path: Path, migrated_sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A migrated SQLite file of this test's own, which the command line reads."""
    from assistant.settings import get_settings

    database = tmp_path / "assistant.db"
    shutil.copyfile(migrated_sqlite_file, database)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def test_the_command_purges_and_says_what_it_removed(
    tmp_path: Path,
    database_file: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    from assistant.cli import main

    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    with create_engine(tracker).begin() as db:
        db.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, timestamp REAL)"))
    assert main(["purge", "--older-than", "0"]) == 2
    assert main(["purge", "--older-than", "365", "--practice", "nowhere"]) == 2
    assert main(["purge", "--older-than", "365", "--rasa-tracker-url", tracker]) == 0

    out = capsys.readouterr().out
    assert "all practices: removed cases=0 outbox=0 inbox=0 pictures=0 messages=0" in out
    assert "tracker_events=0" in out


def _tracker(path: Path, events: list[tuple[str, datetime]]) -> str:
    url = f"sqlite:///{path}"
    with create_engine(url).begin() as db:
        db.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
        )
        for sender, at in events:
            db.execute(
                text("INSERT INTO events (sender_id, timestamp) VALUES (:s, :t)"),
                {"s": sender, "t": at.timestamp()},
            )
    return url


def test_each_practice_is_purged_by_its_own_period_and_only_its_rasa_events(
    session: Session, tmp_path: Path
) -> None:
    keeps_a_year = add_practice(session, kind="veterinary")
    not_set = add_practice(session, kind="human")
    keeps_a_year.retention_days = 365
    conversations = {
        practice.id: _conversation(session, practice.id, f"k{practice.id}")
        for practice in (keeps_a_year, not_set)
    }
    for conversation in conversations.values():
        _message(session, conversation, "400 days old", OLD)
    tracker = tracker_engine(
        _tracker(tmp_path / "t.db", [(c.id, OLD) for c in conversations.values()])
    )

    reports = apply_retention_periods(session, now=NOW, tracker=tracker)

    assert list(reports) == [keeps_a_year.slug]
    assert (reports[keeps_a_year.slug].messages, reports[keeps_a_year.slug].tracker_events) == (
        1,
        1,
    )
    assert list(session.scalars(select(Conversation.practice_id).join(Message))) == [not_set.id]
    with tracker.connect() as db:
        senders = list(db.execute(text("SELECT sender_id FROM events")).scalars())
    assert senders == [conversations[not_set.id].id]

    # A period longer than the message's age keeps it.
    not_set.retention_days = 500
    assert apply_retention_periods(session, now=NOW)[not_set.slug].messages == 0
    not_set.retention_days = 399
    assert apply_retention_periods(session, now=NOW)[not_set.slug].messages == 1


def test_rasas_postgresql_address_is_read_with_this_environments_driver() -> None:
    engine = tracker_engine("postgresql://postgres@127.0.0.1:5432/rasa_tracker")

    assert engine.dialect.driver == "psycopg"


def test_the_command_applies_each_practices_period_by_default(
    tmp_path: Path,
    database_file: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    from assistant.cli import main
    from assistant.db.engine import make_engine, make_session_factory

    with make_session_factory(make_engine(f"sqlite:///{database_file}"))() as session:
        practice = add_practice(session, kind="veterinary")
        practice.retention_days = 30
        _message(session, _conversation(session, practice.id, "k"), "old", OLD)
        session.commit()
        slug = practice.slug

    assert main(["purge", "--rasa-tracker-url", _tracker(tmp_path / "t.db", [])]) == 0

    assert f"{slug}: removed cases=0 outbox=0 inbox=0 pictures=0 messages=1" in (
        capsys.readouterr().out
    )

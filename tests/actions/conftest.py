"""Action tests run in the Rasa environment against a real api process on a temporary database.

This folder has its own conftest (pytest runs here with --confcutdir) because the Rasa
environment does not have the app's libraries.
"""

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from actions.api_client import AssistantApi, set_api
from tests.support import processes

TOKEN = "actions-test-token"


@dataclass
class RunningApi:
    url: str
    database: Path

    def add_conversation(self, text: str) -> str:
        """A web conversation with one inbound message, written as the api would."""
        conversation_id = uuid.uuid4().hex
        with sqlite3.connect(self.database) as db:
            practice_id = db.execute(
                "SELECT id FROM practice WHERE slug = 'cedar-vet-oncology'"
            ).fetchone()[0]
            now = "2026-11-30 18:00:00.000000"
            db.execute(
                "INSERT INTO conversation (id, practice_id, channel, sender_key, created_at,"
                " last_message_at) VALUES (?, ?, 'web', ?, ?, ?)",
                (conversation_id, practice_id, conversation_id, now, now),
            )
            db.execute(
                "INSERT INTO message (conversation_id, direction, body, created_at)"
                " VALUES (?, 'in', ?, ?)",
                (conversation_id, text, now),
            )
        return conversation_id

    def escalations(self, conversation_id: str) -> list[tuple[str, str, str]]:
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT priority, category, summary FROM escalation WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchall()


@pytest.fixture(scope="session")
def running_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    workdir = tmp_path_factory.mktemp("api")
    with processes.running_internal_api(workdir, INTERNAL_API_TOKEN=TOKEN) as url:
        yield RunningApi(url=url, database=workdir / "assistant.db")


@pytest.fixture
def api(running_api: RunningApi) -> Iterator[RunningApi]:
    """Points the actions' api client at the running api for one test."""
    set_api(AssistantApi(running_api.url, TOKEN))
    yield running_api
    set_api(AssistantApi("http://127.0.0.1:9", "unused"))

"""An api on a migrated SQLite database, with Rasa replaced at its HTTP boundary."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.internal_main import create_internal_app
from api.main import create_app
from assistant.db.engine import make_session_factory
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.conftest import add_practice

INTERNAL_TOKEN = "test-internal-token"


class ScriptedRasa:
    """Answers each webhook call with whatever the test put in `replies`."""

    def __init__(self) -> None:
        self.replies: Callable[[httpx.Request], httpx.Response] = lambda request: httpx.Response(
            200,
            json=[{"recipient_id": "x", "custom": {"template": "greet.hello", "route": "other"}}],
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "models/test.tar.gz"})
        return self.replies(request)


@pytest.fixture
def scripted_rasa() -> ScriptedRasa:
    return ScriptedRasa()


@pytest.fixture
def client(
    sqlite_engine: Engine, tmp_path: Path, scripted_rasa: ScriptedRasa, triage: Triage
) -> Iterator[TestClient]:
    with make_session_factory(sqlite_engine)() as session:
        add_practice(session, kind="veterinary")
        add_practice(session, kind="human")
        session.commit()
    settings = Settings(
        database_url=str(sqlite_engine.url),
        internal_api_token=INTERNAL_TOKEN,
        actions_url="http://127.0.0.1:9",
        internal_api_url="http://127.0.0.1:9",
        sla_check_seconds=0,  # background jobs are tested on their own
        outbox_poll_seconds=0,
    )
    rasa = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted_rasa))
    with TestClient(create_app(settings, rasa=rasa, triage=triage)) as test_client:
        yield test_client


@pytest.fixture
def internal(client: TestClient, sqlite_engine: Engine) -> Iterator[TestClient]:
    """The action server's listener on `client`'s database."""
    yield from internal_client(sqlite_engine)


def internal_client(engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=str(engine.url), internal_api_token=INTERNAL_TOKEN)
    with TestClient(create_internal_app(settings)) as test_client:
        yield test_client


def demo_app(engine: Engine, triage: Triage, **settings: Any) -> FastAPI:
    """The api on `engine`'s database with its background jobs off and Rasa scripted at its
    HTTP boundary; `settings` override the rest."""
    values: dict[str, Any] = {
        "database_url": str(engine.url),
        "sla_check_seconds": 0,
        "outbox_poll_seconds": 0,
        "inbox_sweep_seconds": 0,
        "outreach_poll_seconds": 0,
        **settings,
    }
    rasa = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(ScriptedRasa()))
    return create_app(Settings(**values), rasa=rasa, triage=triage)

"""The whole stack (rasa, actions, api) booted once on a fresh SQLite database, as
`make run` starts it: the api's background jobs on their defaults, except outreach."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Practice as PracticeRow
from assistant.messaging.conversations import conversation_for
from tests.support import processes

BOOT_TIMEOUT = 300  # seconds; Rasa loads TensorFlow and the model
INTERNAL_TOKEN = "bench-internal-token"


@dataclass(frozen=True)
class Practice:
    slug: str
    kind: str
    sms_number: str


@dataclass
class Stack:
    api: str
    rasa: str
    workdir: Path
    database: Path
    public_base_url: str
    processes: dict[str, subprocess.Popen[bytes]]
    practices: dict[str, Practice]


def model_path() -> Path:
    """The model `make train` built (MODEL from the Makefile), else the newest in models/."""
    try:
        return processes.trained_model()
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from exc


@contextmanager
def running_stack(workdir: Path, model: Path) -> Iterator[Stack]:
    """Rasa, actions and the api on free ports and a fresh demo database in `workdir`;
    stopped on exit. Logs go to `workdir/<name>.log`."""
    rasa_port, actions_port, api_port, internal_port = (processes.free_port() for _ in range(4))
    api = f"http://127.0.0.1:{api_port}"
    endpoints = processes.private_endpoints(workdir, actions_port)
    database = workdir / "assistant.db"
    env = processes.app_environment(
        database,
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        ACTIONS_URL=f"http://127.0.0.1:{actions_port}",
        INTERNAL_API_URL=f"http://127.0.0.1:{internal_port}",
        INTERNAL_API_TOKEN=INTERNAL_TOKEN,
        # Twilio signs the address it calls; here that is the api itself.
        PUBLIC_BASE_URL=api,
        SANIC_HOST="127.0.0.1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # No proactive messages while the bench runs; every other job on its default.
        OUTREACH_POLL_SECONDS="0",
        # The bench drives hundreds of conversations from this one address on purpose: it
        # measures the assistant, not the request limits (tests/api/test_rate_limits.py).
        CHAT_RATE_PER_ADDRESS="1000000/minute",
        CHAT_RATE_PER_SENDER="1000000/minute",
        SMS_RATE_PER_NUMBER="1000000/minute",
    )
    processes.prepare_database(env)
    commands = {
        "rasa": processes.rasa_command(rasa_port, model, endpoints),
        "actions": processes.actions_command(actions_port),
        "api": processes.api_command(api_port),
        "internal": processes.internal_api_command(internal_port),
    }
    started: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            started[name] = processes.start(name, command, env, workdir)
        # /health is 200 only when the database, Rasa (with its model) and actions are up.
        processes.wait_for(f"{api}/health", started, workdir, timeout=BOOT_TIMEOUT)
        listed = httpx.get(f"{api}/api/v1/practices", timeout=10).json()
        practices = {p["slug"]: Practice(p["slug"], p["kind"], p["sms_number"]) for p in listed}
        yield Stack(
            api=api,
            rasa=f"http://127.0.0.1:{rasa_port}",
            workdir=workdir,
            database=database,
            public_base_url=api,
            processes=started,
            practices=practices,
        )
    finally:
        for process in started.values():
            processes.stop(process)


def start_conversations(stack: Stack, senders: dict[str, str]) -> dict[str, str]:
    """Web-chat conversations for `senders` (sender -> practice slug), started in the api's
    database the way web chat starts them; returns sender -> conversation id.

    Bare Rasa is sent these ids as its sender ids: the actions call the api's internal
    endpoints with Rasa's sender id, and for an id the api does not know they fail, Rasa
    answers `[]`, and the turn would not be the work the stack asks of Rasa.
    """
    engine = make_engine(f"sqlite:///{stack.database}")
    try:
        with make_session_factory(engine)() as session:
            practices = {p.slug: p for p in session.scalars(select(PracticeRow))}
            now = datetime.now(UTC)
            ids = {
                sender: conversation_for(session, practices[slug], "web", sender, now).id
                for sender, slug in senders.items()
            }
            session.commit()
    finally:
        engine.dispose()
    return ids

"""Where a web-chat turn spends its time: the api built in this process on the running
stack's database and Rasa, its parts timed from outside (no change to the api's code).

One turn at a time, so each stage's time belongs to the turn being measured. Stages:
triage (`Triage.assess`), Rasa (the HTTP call to Rasa, which includes NLU, policies and the
action server with its calls back to the api), SQL (statements on the api's connection),
commit (SQLite COMMIT, the WAL write) and the rest (FastAPI, pydantic, the ORM's own Python,
templates; the in-process ASGI client adds a little).
"""

import logging
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import httpx
from sqlalchemy import event

from api.main import create_app
from api.state import AppState
from assistant.channels.web_chat import chat_message
from assistant.safety.triage import Triage
from assistant.settings import Settings
from bench.stack import INTERNAL_TOKEN, Stack
from bench.stats import mean, percentile
from bench.workload import Conversation

P = ParamSpec("P")
R = TypeVar("R")
STAGES = ("triage", "rasa", "sql", "commit")
WARMUP_TURNS = 5


class StageClock:
    """Seconds spent in each stage since the last `take()`."""

    def __init__(self) -> None:
        self._spent = dict.fromkeys(STAGES, 0.0)

    def add(self, stage: str, seconds: float) -> None:
        self._spent[stage] += seconds

    def timed(self, stage: str, function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - started)

        return wrapper

    def take(self) -> dict[str, float]:
        spent, self._spent = self._spent, dict.fromkeys(STAGES, 0.0)
        return spent


def _instrument(state: AppState, triage: Triage, clock: StageClock) -> None:
    # Instance attributes shadow the methods the turn handler calls.
    setattr(triage, "assess", clock.timed("triage", triage.assess))  # noqa: B010
    setattr(state.rasa, "turn", clock.timed("rasa", state.rasa.turn))  # noqa: B010
    dialect = state.engine.dialect
    setattr(dialect, "do_commit", clock.timed("commit", dialect.do_commit))  # noqa: B010
    starts: dict[int, float] = {}

    @event.listens_for(state.engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, *_: Any) -> None:
        starts[id(cursor)] = time.perf_counter()

    @event.listens_for(state.engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, *_: Any) -> None:
        clock.add("sql", time.perf_counter() - starts.pop(id(cursor), time.perf_counter()))


async def profile_web_chat(
    stack: Stack,
    conversations: Iterable[Conversation],
) -> dict[str, Any]:
    """Per-stage time of web-chat turns, one at a time: mean and p50 in ms per stage."""
    settings = Settings(
        environment="development",  # the bench stack's own development secrets
        database_url=f"sqlite:///{stack.database}",
        rasa_url=stack.rasa,
        internal_api_token=INTERNAL_TOKEN,
        public_base_url=stack.api,
        outreach_poll_seconds=0,
    )
    triage = Triage.load()
    app = create_app(settings, triage=triage)
    logging.getLogger().setLevel(logging.WARNING)  # create_app asks for INFO
    state: AppState = app.state.assistant
    clock = StageClock()
    _instrument(state, triage, clock)
    rows: list[dict[str, float]] = []
    # The ASGI transport does not run the lifespan: the background jobs stay off here (the
    # stack's own api runs them).
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=stack.api, timeout=60) as client:
        for conversation in conversations:
            chat_token = None  # the api issues one with the conversation's first answer
            for message in conversation.messages:
                body = chat_message(message.text, chat_token)
                clock.take()
                started = time.perf_counter()
                response = await client.post(f"/api/v1/chat/{message.practice}/messages", json=body)
                total = time.perf_counter() - started
                spent = clock.take()
                if response.status_code != 200:
                    continue
                chat_token = response.json()["chat_token"]
                row = {"total": total, **spent}
                row["rest"] = total - sum(spent.values())
                rows.append(row)
    state.rasa.close()
    state.engine.dispose()
    measured = rows[WARMUP_TURNS:]
    return {
        "turns": len(measured),
        "stages": {
            stage: {
                "mean_ms": mean([r[stage] * 1000 for r in measured]),
                "p50_ms": percentile([r[stage] * 1000 for r in measured], 50),
            }
            for stage in ("total", *STAGES, "rest")
        },
    }

"""Finds SMS replies: polls the api's SQLite outbox, read-only, for reply rows to the numbers
that wait for one. One poller serves every conversation, so the polling load does not grow
with the concurrency."""

import asyncio
import sqlite3
import time
from pathlib import Path

POLL_SECONDS = 0.020


class OutboxWatcher:
    """`expect(number)` before posting, then `await` the future it returns: it resolves to
    (detection time on `time.perf_counter`, template ids) of the first outbox rows to that
    number committed after `expect`."""

    def __init__(self, database: Path, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._database = database
        self._poll_seconds = poll_seconds
        self._waiting: dict[str, asyncio.Future[tuple[float, list[str]]]] = {}
        self._last_id = 0
        self._task: asyncio.Task[None] | None = None
        self._db: sqlite3.Connection | None = None

    async def __aenter__(self) -> "OutboxWatcher":
        self._db = sqlite3.connect(f"file:{self._database}?mode=ro", uri=True)
        (self._last_id,) = self._db.execute(
            "SELECT coalesce(max(id), 0) FROM outbox_message"
        ).fetchone()
        self._task = asyncio.create_task(self._poll())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._db is not None:
            self._db.close()

    def expect(self, number: str) -> "asyncio.Future[tuple[float, list[str]]]":
        future: asyncio.Future[tuple[float, list[str]]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        return future

    def forget(self, number: str) -> None:
        self._waiting.pop(number, None)

    async def _poll(self) -> None:
        assert self._db is not None
        while True:
            # SQLite gives one writer at a time, so ids grow in commit order and all rows of
            # one turn (one transaction) appear in the same poll.
            rows = self._db.execute(
                "SELECT id, to_number, template_id FROM outbox_message"
                " WHERE id > ? AND kind = 'reply' ORDER BY id",
                (self._last_id,),
            ).fetchall()
            seen = time.perf_counter()
            found: dict[str, list[str]] = {}
            for row_id, number, template in rows:
                self._last_id = row_id
                found.setdefault(number, []).append(template or "")
            for number, templates in found.items():
                future = self._waiting.pop(number, None)
                if future is not None and not future.done():
                    future.set_result((seen, templates))
            await asyncio.sleep(self._poll_seconds)

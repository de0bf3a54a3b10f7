"""Closed-loop load: `concurrency` conversations at a time, each a distinct sender sending its
messages one after another (the next only once the previous one is answered); when a
conversation ends the next one starts in its place."""

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from bench.channels import TURN_TIMEOUT, Channel, TurnOutcome
from bench.workload import Conversation


@dataclass(frozen=True)
class Turn:
    conversation: int  # Conversation.number
    index: int  # position of the message in its conversation
    outcome: TurnOutcome


@dataclass(frozen=True)
class LevelRun:
    """The measured turns of one column at one concurrency."""

    column: str
    concurrency: int
    turns: list[Turn]
    seconds: float  # wall time from the first message sent to the last reply
    warmup_turns: int
    # The time limit came before the last message: fewer turns than planned were sent.
    cut_short: bool


async def drive(
    channel: Channel,
    conversations: Sequence[Conversation],
    *,
    concurrency: int,
    sender_for: Callable[[int], str],
    max_seconds: float | None = None,
) -> tuple[list[Turn], float]:
    """Run `conversations` (in order of their start) `concurrency` at a time; returns every
    turn and the wall time. After `max_seconds` no further message is sent."""
    pending = iter(conversations)
    turns: list[Turn] = []
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT, limits=limits) as client:
        started = time.perf_counter()
        deadline = math.inf if max_seconds is None else started + max_seconds

        async def conversation_loop() -> None:
            for conversation in pending:  # shared: a free loop takes the next conversation
                sender = sender_for(conversation.number)
                for index, message in enumerate(conversation.messages):
                    if time.perf_counter() > deadline:
                        return
                    outcome = await channel(client, sender, message)
                    turns.append(Turn(conversation.number, index, outcome))

        await asyncio.gather(*(conversation_loop() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return turns, seconds


async def run_level(
    channel: Channel,
    *,
    column: str,
    concurrency: int,
    warmup: Sequence[Conversation],
    measured: Sequence[Conversation],
    sender_for: Callable[[int], str],
    max_seconds: float,
) -> LevelRun:
    """Warm-up conversations first (not counted), then the measured ones, at `concurrency`,
    for at most `max_seconds` (a stack that collapses under load must not stall the run)."""
    warm_turns, _ = await drive(channel, warmup, concurrency=concurrency, sender_for=sender_for)
    turns, seconds = await drive(
        channel, measured, concurrency=concurrency, sender_for=sender_for, max_seconds=max_seconds
    )
    planned = sum(len(c.messages) for c in measured)
    return LevelRun(column, concurrency, turns, seconds, len(warm_turns), len(turns) < planned)


async def settle(url: str, *, quick_seconds: float = 0.5, timeout: float = 180) -> None:
    """Wait until `url` answers within `quick_seconds`: requests a client gave up on may still
    be running in the stack, and must not weigh on the next column."""
    deadline = time.perf_counter() + timeout
    async with httpx.AsyncClient(timeout=30) as client:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1)
            started = time.perf_counter()
            try:
                response = await client.get(url)
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and time.perf_counter() - started < quick_seconds:
                return

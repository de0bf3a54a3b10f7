"""One turn on each benchmarked channel: the time from sending a message to having its
reply, and whether the reply was a real answer."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from assistant.channels.web_chat import chat_message
from assistant.conversation.routes import most_severe
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.templates.registry import AFTER_HOURS_SUFFIX, KIND_OF_PREFIX
from bench.outbox import OutboxWatcher
from bench.stack import Stack
from bench.workload import Message

# What the stack sends when Rasa failed (down, too slow, an empty turn).
TECHNICAL_PROBLEM = "fallback.technical_problem"
# Longer than the api's own Rasa timeout (20 s), so a slow turn is measured, not cut short.
TURN_TIMEOUT = 60.0


@dataclass(frozen=True)
class TurnOutcome:
    seconds: float
    error: str | None  # None: answered
    route: str | None = None
    # Template keys without the practice-kind prefix ("faq.hours"), to compare columns.
    templates: tuple[str, ...] = ()


Channel = Callable[[httpx.AsyncClient, str, Message], Awaitable[TurnOutcome]]


def _template_key(template_id: str) -> str:
    """`vet.faq.hours_after_hours` -> `faq.hours`: the key Rasa names, whichever kind's text
    and whatever the time of day."""
    head, _, rest = template_id.partition(".")
    key = rest if head in KIND_OF_PREFIX and rest else template_id
    return key.removesuffix(AFTER_HOURS_SUFFIX)


def bare_rasa(stack: Stack) -> Channel:
    """Rasa's REST channel, with the metadata the api sends, on the stack's own Rasa."""

    async def turn(client: httpx.AsyncClient, sender: str, message: Message) -> TurnOutcome:
        kind = stack.practices[message.practice].kind
        body = {
            "sender": sender,
            "message": message.text,
            "metadata": {"practice": message.practice, "kind": kind},
        }
        started = time.perf_counter()
        try:
            response = await client.post(f"{stack.rasa}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            return TurnOutcome(time.perf_counter() - started, f"{type(exc).__name__}")
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            return TurnOutcome(seconds, f"HTTP {response.status_code}")
        replies: list[dict[str, Any]] = response.json()
        if not replies:
            return TurnOutcome(seconds, "empty turn")
        customs = [r.get("custom") or {} for r in replies]
        routes = [c.get("route") or "other" for c in customs]
        templates = tuple(str(c.get("template", "")) for c in customs)
        return TurnOutcome(seconds, None, most_severe(routes), templates)

    return turn


def web_chat(stack: Stack) -> Channel:
    """The web chat's turn endpoint: triage, storage, Rasa and templates in one request."""
    chat_tokens: dict[str, str] = {}  # the token the api issued to each sender's chat

    async def turn(client: httpx.AsyncClient, sender: str, message: Message) -> TurnOutcome:
        body = chat_message(message.text, chat_tokens.get(sender))
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{stack.api}/api/v1/chat/{message.practice}/messages", json=body
            )
        except httpx.HTTPError as exc:
            return TurnOutcome(time.perf_counter() - started, f"{type(exc).__name__}")
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            return TurnOutcome(seconds, f"HTTP {response.status_code}")
        result = response.json()
        chat_tokens[sender] = result["chat_token"]
        templates = tuple(_template_key(r["template_id"]) for r in result["replies"])
        error = "technical-problem reply" if TECHNICAL_PROBLEM in templates else None
        return TurnOutcome(seconds, error, result["route"], templates)

    return turn


def twilio_sms(stack: Stack, watcher: OutboxWatcher) -> Channel:
    """A signed Twilio webhook in; the turn ends when its reply is in the outbox (found by
    `watcher`, so the time includes up to one polling interval)."""
    url = f"{stack.public_base_url}/twilio/sms"
    validator = RequestValidator(DRY_RUN_AUTH_TOKEN)

    async def turn(client: httpx.AsyncClient, sender: str, message: Message) -> TurnOutcome:
        params = {
            "MessageSid": f"SMbench{uuid.uuid4().hex[:26]}",
            "From": sender,
            "To": stack.practices[message.practice].sms_number,
            "Body": message.text,
            "NumMedia": "0",
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
        reply = watcher.expect(sender)
        started = time.perf_counter()
        try:
            response = await client.post(f"{stack.api}/twilio/sms", data=params, headers=headers)
        except httpx.HTTPError as exc:
            watcher.forget(sender)
            return TurnOutcome(time.perf_counter() - started, f"{type(exc).__name__}")
        if response.status_code != 200:
            watcher.forget(sender)
            return TurnOutcome(time.perf_counter() - started, f"HTTP {response.status_code}")
        try:
            left = TURN_TIMEOUT - (time.perf_counter() - started)
            seen, template_ids = await _within(reply, left)
        except TimeoutError:
            watcher.forget(sender)
            return TurnOutcome(time.perf_counter() - started, "no reply in the outbox")
        templates = tuple(_template_key(t) for t in template_ids)
        error = "technical-problem reply" if TECHNICAL_PROBLEM in templates else None
        return TurnOutcome(seen - started, error, None, templates)

    return turn


async def _within(
    future: Awaitable[tuple[float, list[str]]], seconds: float
) -> tuple[float, list[str]]:
    return await asyncio.wait_for(future, timeout=max(seconds, 0.001))

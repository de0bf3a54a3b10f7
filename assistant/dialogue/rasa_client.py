"""Client for Rasa's REST channel, the api's only way to the dialogue engine.

Several Rasa processes may share the work (the production profile): each conversation then
always goes to the same one, so its turns never wait on another process's lock on it.
"""

import logging
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class DialogueUnavailable(Exception):
    """Rasa could not produce a turn: down, too slow, an error, or an empty answer."""


@dataclass(frozen=True)
class BotReply:
    """One message Rasa wants to send: the template it names, the route it declares, and
    the priority of the case it promises (`case: routine` on a reply like "a person will
    text you back")."""

    template_key: str | None
    route: str | None
    case_priority: str | None
    raw: dict[str, Any]
    # For "Did you mean <topic>?": the key of the FAQ answer being suggested.
    topic_key: str | None = None
    # Values from the client's records for the template's placeholders (a visit's time).
    values: tuple[tuple[str, str], ...] = ()


def parse_rasa_urls(value: str) -> list[str]:
    """The Rasa base URLs in `RASA_URL`: one, or several separated by commas, in order."""
    urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
    if not urls:
        raise ValueError("RASA_URL names no Rasa process")
    return urls


def without_forced_intent(text: str) -> str:
    """Rasa reads a message starting with "/" as a forced intent ("/book_appointment"), which
    would let a client skip understanding and choose the dialogue's path. Leading slashes
    are dropped; a message of slashes alone becomes "?", which reads as unclear."""
    cleaned = re.sub(r"^[\s/]+", "", text)
    return cleaned if cleaned.strip() else "?"


class RasaClient:
    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        token: str | None = None,
    ):
        """`base_url` is `RASA_URL` as set (comma-separated for several processes) or a list."""
        urls = parse_rasa_urls(base_url) if isinstance(base_url, str) else list(base_url)
        if not urls:
            raise ValueError("a RasaClient needs at least one Rasa process")
        self._http = {
            url: httpx.Client(base_url=url, timeout=timeout, transport=transport) for url in urls
        }
        self.urls: tuple[str, ...] = tuple(self._http)
        self._token = token

    def url_for(self, sender_id: str) -> str:
        """The Rasa process that serves this conversation: the same for every call, in every
        api process (a CRC-32 of the id, not Python's per-process randomised `hash`)."""
        return self.urls[zlib.crc32(sender_id.encode("utf-8")) % len(self.urls)]

    def turn(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send one user message to the conversation's Rasa process; return its replies.

        Rasa's REST channel answers `[]` with HTTP 200 when something fails inside it,
        so an empty list is reported as a failure, never passed on as silence.
        """
        try:
            response = self._http[self.url_for(sender_id)].post(
                "/webhooks/rest/webhook",
                json={
                    "sender": sender_id,
                    "message": text,
                    "metadata": metadata,
                },
            )
            response.raise_for_status()
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DialogueUnavailable(str(exc)) from exc
        if not isinstance(payload, list) or not payload:
            raise DialogueUnavailable("Rasa returned an empty turn")
        return [self._reply(item) for item in payload]

    def status(self, url: str | None = None) -> dict[str, Any]:
        """Rasa's `/status` (which model is loaded) of the process at `url`, by default the
        first one. Raises `httpx.HTTPError` when it is down."""
        # Rasa's HTTP API (but not its webhook) needs the token Rasa was started with.
        params = {"token": self._token} if self._token else None
        response = self._http[url or self.urls[0]].get("/status", params=params, timeout=3)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def process_states(self) -> dict[str, str]:
        """Every Rasa process and its state: `ok`, `no model loaded` or `unreachable: ...`."""
        states = {}
        for url in self.urls:
            try:
                loaded = self.status(url).get("model_file")
            except (httpx.HTTPError, ValueError) as exc:
                states[url] = f"unreachable: {exc.__class__.__name__}"
                continue
            states[url] = "ok" if loaded else "no model loaded"
        return states

    def close(self) -> None:
        for http in self._http.values():
            http.close()

    @staticmethod
    def _reply(item: dict[str, Any]) -> BotReply:
        custom = item.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("template"), str):
            return BotReply(
                template_key=custom["template"],
                route=custom.get("route"),
                case_priority=custom.get("case"),
                raw=item,
                topic_key=custom.get("topic") if isinstance(custom.get("topic"), str) else None,
                values=_record_values(custom.get("values")),
            )
        # Plain text from Rasa means a response that bypassed the template registry.
        logger.error("Rasa sent a reply without a template: %r", item)
        return BotReply(template_key=None, route=None, case_priority=None, raw=item)


def _record_values(raw: object) -> tuple[tuple[str, str], ...]:
    """The `values` of a custom payload, as text; anything that is not a mapping is dropped."""
    if not isinstance(raw, dict):
        return ()
    return tuple(sorted((str(name), str(value)) for name, value in raw.items()))

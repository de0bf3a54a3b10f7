"""Client for Rasa's REST channel, the api's only way to the dialogue engine."""

import logging
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


class RasaClient:
    def __init__(
        self, base_url: str, *, timeout: float, transport: httpx.BaseTransport | None = None
    ):
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def turn(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send one user message; return Rasa's replies.

        Rasa's REST channel answers `[]` with HTTP 200 when something fails inside it,
        so an empty list is reported as a failure, never passed on as silence.
        """
        try:
            response = self._http.post(
                "/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
            )
            response.raise_for_status()
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DialogueUnavailable(str(exc)) from exc
        if not isinstance(payload, list) or not payload:
            raise DialogueUnavailable("Rasa returned an empty turn")
        return [self._reply(item) for item in payload]

    def status(self) -> dict[str, Any]:
        """Rasa's `/status`: which model is loaded. Raises `httpx.HTTPError` when down."""
        response = self._http.get("/status", timeout=3)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._http.close()

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

"""Twilio's servers, replaced at the twilio library's own HTTP boundary (`HttpClient`).

Everything above it (the twilio `Client`, our gateway, the outbox) runs for real: requests
are built and answers parsed by the library exactly as in production.
"""

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response

from assistant.messaging.twilio_gateway import TwilioGateway

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-twilio-auth-token"


class ProcessKilled(BaseException):
    """The api process dies here: nothing after this line of the sender runs."""


@dataclass
class Request:
    method: str
    uri: str
    params: dict[str, Any]
    data: dict[str, Any]


# An answer to one message-create request: a response, an exception to raise, or a callable
# that gets the fake Twilio and the request and does either.
Answer = Response | BaseException | Callable[["FakeTwilio", "Request"], Response]


@dataclass
class FakeTwilio(HttpClient):
    now: datetime
    requests: list[Request] = field(default_factory=list)
    # Answers for the next message creates, in order; once used up, each create succeeds.
    answers: list[Answer] = field(default_factory=list)
    # Messages Twilio has accepted, newest first, as its API lists them.
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logger=logging.getLogger("fake_twilio"), is_async=False)
        self._lock = threading.Lock()

    @property
    def creates(self) -> list[Request]:
        """Every message-create request that reached Twilio."""
        return [r for r in self.requests if r.method == "POST"]

    @property
    def sent_bodies(self) -> list[str]:
        return [str(r.data["Body"]) for r in self.creates]

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        with self._lock:
            request = Request(method, uri, dict(params or {}), dict(data or {}))
            answer = self.answers.pop(0) if method == "POST" and self.answers else None
        if isinstance(answer, ProcessKilled):
            raise answer  # killed before the request left the machine
        with self._lock:
            self.requests.append(request)
        if method == "GET":
            return self._list(request)
        if answer is None:
            return self.accept(request)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Response):
            return answer
        return answer(self, request)

    def accept(self, request: Request) -> Response:
        """Twilio takes the message: it gets a SID and shows up in the message list."""
        with self._lock:
            sid = f"SM{len(self.messages) + 1:032d}"
            message = {
                "sid": sid,
                "account_sid": ACCOUNT_SID,
                "to": request.data["To"],
                "from": request.data["From"],
                "body": request.data["Body"],
                "status": "queued",
                "date_created": format_datetime(self.now),
                "date_updated": format_datetime(self.now),
                "date_sent": None,
                "num_segments": "1",
                "direction": "outbound-api",
            }
            self.messages.insert(0, message)
        return Response(201, json.dumps(message))

    def _list(self, request: Request) -> Response:
        listed = [
            m
            for m in self.messages
            if m["to"] == request.params.get("To") and m["from"] == request.params.get("From")
        ]
        page = {
            "messages": listed,
            "first_page_uri": request.uri,
            "next_page_uri": None,
            "previous_page_uri": None,
            "uri": request.uri,
            "page": 0,
            "page_size": 50,
            "start": 0,
            "end": len(listed),
        }
        return Response(200, json.dumps(page))


def error(status: int, code: int, message: str) -> Response:
    """Twilio's JSON error body, as its REST API sends it."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Response(status, json.dumps(body))


def accepted_then(crash: BaseException) -> Callable[[FakeTwilio, Request], Response]:
    """Twilio takes the message, but its answer never reaches us."""

    def answer(fake: FakeTwilio, request: Request) -> Response:
        fake.accept(request)
        raise crash

    return answer


STATUS_CALLBACK_URL = "https://assistant.example.org/twilio/status"


def twilio_gateway(fake: FakeTwilio) -> TwilioGateway:
    """Our real Twilio gateway, talking to `fake` instead of Twilio's servers."""
    return TwilioGateway(ACCOUNT_SID, AUTH_TOKEN, STATUS_CALLBACK_URL, http_client=fake)

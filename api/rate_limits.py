"""Per-sender and per-address request limits, so one client cannot flood the practice's
queue and pager, and sign-in cannot be guessed at (issue 18). Counted with the `limits`
library's moving window, in Redis when the api has one (every worker sees the same counts)."""

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.settings import Settings

TOO_MANY = "Too many messages in a short time. Please wait a minute and try again."
TOO_MANY_NEW_CHATS = (
    "Too many new chats from this connection in the last hour. Please call the practice; in an"
    " emergency, call your emergency service now."
)
TOO_MANY_SIGN_INS = (
    "Too many failed sign-ins for this account or address. Wait 15 minutes and try again,"
    " or ask an admin to reset your password."
)

TOO_MANY_IMPORTS = (
    "Too many imports into this practice in a short time. Wait a while and try again."
)


@dataclass(frozen=True)
class Rule:
    name: str
    items: Sequence[RateLimitItem]


class RateLimits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        url = settings.rate_limit_url or settings.redis_url or "memory://"
        self._limiter = MovingWindowRateLimiter(storage or storage_from_string(url))
        self.chat_sender = Rule("chat-sender", parse_many(settings.chat_rate_per_sender))
        self.chat_address = Rule("chat-address", parse_many(settings.chat_rate_per_address))
        self.web_cases_address = Rule(
            "web-cases-address", parse_many(settings.web_cases_per_address)
        )
        self.sms_number = Rule("sms-number", parse_many(settings.sms_rate_per_number))
        self.sign_in_email = Rule("sign-in-email", parse_many(settings.sign_in_failures_per_email))
        self.sign_in_address = Rule(
            "sign-in-address", parse_many(settings.sign_in_failures_per_address)
        )
        self.record_imports = Rule(
            "record-imports", parse_many(settings.record_imports_per_practice)
        )

    def hit(self, rule: Rule, key: str, detail: str = TOO_MANY) -> None:
        """Count one request; 429 once any of the rule's limits is used up."""
        # Every limit counts the request, so a burst cannot hide under the longer window.
        allowed = [self._limiter.hit(item, rule.name, key) for item in rule.items]
        if not all(allowed):
            raise _too_many(detail)

    def allows(self, rule: Rule, key: str) -> bool:
        """Whether the rule's limits still allow one more, without counting anything."""
        return all(self._limiter.test(item, rule.name, key) for item in rule.items)

    def count(self, rule: Rule, key: str) -> None:
        """Count one event (a failed sign-in) without refusing anything now."""
        for item in rule.items:
            self._limiter.hit(item, rule.name, key)


def client_address(request: Request) -> str:
    """The caller's address as the api saw it (behind a proxy, uvicorn's --proxy-headers
    puts the client's own address here)."""
    return request.client.host if request.client else "unknown"


def _too_many(detail: str) -> HTTPException:
    return HTTPException(status_code=429, detail=detail, headers={"Retry-After": "60"})

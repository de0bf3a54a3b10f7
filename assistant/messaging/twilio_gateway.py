"""Send the outbox through Twilio's REST API, and tell apart errors worth retrying."""

import logging
from datetime import timedelta

import requests
from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from assistant.db.models import OutboxMessage
from assistant.messaging.outbox import (
    PROVIDER_STATUSES,
    DryRunGateway,
    Gateway,
    SendError,
    SendResult,
)
from assistant.settings import Settings

logger = logging.getLogger(__name__)

# Seconds to wait for Twilio; without a timeout one stalled request would stop the sender.
REQUEST_TIMEOUT = 15.0
# Twilio error codes that say "not now" rather than "never": rate limits, queue overflow,
# Twilio's own outages. HTTP 5xx and 429 are retried whatever their code.
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 30001})
# HTTP statuses retried: too many requests, and bad credentials (an operator can fix those
# within the retry window, and the messages then go out rather than being lost).
TRANSIENT_HTTP = frozenset({401, 429})
# How many of the recipient's latest messages are compared with a row whose send is in doubt.
LOOKUP_LIMIT = 20
# Twilio's clock and ours may differ a little.
CLOCK_SKEW = timedelta(minutes=2)


class TwilioGateway:
    """Sends SMS from each practice's own number, asking Twilio to report delivery back.

    `http_client` is Twilio's HTTP boundary; tests give a fake one, production the default.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        status_callback_url: str,
        *,
        http_client: HttpClient | None = None,
    ) -> None:
        self._client = Client(
            account_sid,
            auth_token,
            http_client=http_client or TwilioHttpClient(timeout=REQUEST_TIMEOUT),
        )
        self._status_callback_url = status_callback_url

    def send(self, message: OutboxMessage, *, from_number: str) -> SendResult:
        try:
            created = self._client.messages.create(
                to=message.to_number,
                from_=from_number,
                body=message.body,
                status_callback=self._status_callback_url,
            )
        except TwilioException as exc:
            raise _api_error(exc) from exc
        except requests.ConnectTimeout as exc:  # no connection: nothing reached Twilio
            raise SendError(f"cannot reach Twilio: {exc}", outcome="transient") from exc
        except requests.RequestException as exc:  # the request may have reached Twilio
            raise SendError(f"no answer from Twilio: {exc}", outcome="unknown") from exc
        return SendResult(
            status=PROVIDER_STATUSES.get(str(created.status), "queued"),
            provider_sid=str(created.sid),
        )

    def find_sent(self, message: OutboxMessage, *, from_number: str) -> list[SendResult]:
        try:
            recent = self._client.messages.list(
                to=message.to_number, from_=from_number, limit=LOOKUP_LIMIT
            )
        except (TwilioException, requests.RequestException) as exc:
            raise SendError(f"cannot list messages: {exc}", outcome="unknown") from exc
        since = message.created_at - CLOCK_SKEW
        return [
            SendResult(
                status=PROVIDER_STATUSES.get(str(found.status), "queued"),
                provider_sid=str(found.sid),
            )
            for found in recent
            if found.body == message.body
            and found.date_created is not None
            and found.date_created >= since
        ]


def _api_error(exc: TwilioException) -> SendError:
    """Twilio's answer as a `SendError`: retried when transient, recorded when permanent."""
    http_status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None) or str(exc)
    transient = http_status >= 500 or http_status in TRANSIENT_HTTP or code in TRANSIENT_CODES
    return SendError(
        f"HTTP {http_status}: {detail}",
        outcome="transient" if transient else "permanent",
        code=str(code) if code is not None else None,
    )


def make_gateway(settings: Settings, *, http_client: HttpClient | None = None) -> Gateway:
    """Twilio when both credentials are set; otherwise the dry run (messages are logged).

    Twilio reports delivery to `PUBLIC_BASE_URL/twilio/status`, signed like any webhook.
    """
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioGateway(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            status_callback_url=f"{settings.public_base_url.rstrip('/')}/twilio/status",
            http_client=http_client,
        )
    logger.info("no Twilio credentials: outbound SMS are logged, not sent (dry run)")
    return DryRunGateway()

"""A FHIR server's REST API, read incrementally: for each resource type, a search for what
changed after the last import (`_lastUpdated=gt...`, oldest first), following the Bundle's
`next` links up to a page limit, with timeouts and retries (tenacity).

The bearer token goes in the Authorization header of requests to the server's own address
only (a `next` link elsewhere is refused), and is never logged or shown: errors name the
URL and the HTTP status, nothing else.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from assistant.errors import Invalid
from assistant.imports.fhir.entries import (
    MAX_BUNDLE_BYTES,
    BundleContents,
    BundleRefused,
    bundle_entries,
    parse_bundle_bytes,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGES = 200  # per resource type and run: 20,000 resources at the default page size
ATTEMPTS = 4
# Seconds: for the whole of one read (a slow server page), and to connect.
TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class FetchFailed(Invalid):
    """The server could not be read; nothing was imported. The message never holds the token."""


class _Retry(Exception):
    """A failure worth another try (a timeout, a dropped connection, 429 or 5xx)."""


@dataclass
class Fetched:
    resource_type: str
    pages: list[BundleContents] = field(default_factory=list)
    # The page limit stopped the search before its last page.
    truncated: bool = False


@dataclass
class FhirServer:
    base_url: str
    token: SecretStr | None
    page_size: int = PAGE_SIZE
    max_pages: int = MAX_PAGES
    attempts: int = ATTEMPTS
    timeout: float = TIMEOUT
    # Seconds between tries, growing: 1, 2, 4 (tests make it 0).
    wait: Callable[[RetryCallState], float] = wait_exponential(multiplier=1, max=8)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchFailed(f"FHIR_BASE_URL {self.base_url!r} is not an http(s) address")

    def search(self, resource_type: str, *, after: datetime | None) -> Fetched:
        """Every `resource_type` changed after `after` (all of them when None), oldest first."""
        params: dict[str, Any] = {"_sort": "_lastUpdated", "_count": self.page_size}
        if after is not None:
            params["_lastUpdated"] = "gt" + after.astimezone(UTC).isoformat().replace("+00:00", "Z")
        fetched = Fetched(resource_type)
        request = httpx.Request("GET", f"{self.base_url}/{resource_type}", params=params)
        number = 1
        with httpx.Client(
            headers=self._headers(),
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT)),
            follow_redirects=False,
        ) as client:
            url: str | None = str(request.url)
            while url is not None:
                if len(fetched.pages) == self.max_pages:
                    fetched.truncated = True
                    break
                self._check_same_server(url)
                bundle = self._get(client, url)
                page = bundle_entries(bundle, name="server", first_line=number)
                number += len(page.entries)
                fetched.pages.append(page)
                url = page.next_url
        return fetched

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/fhir+json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.get_secret_value()}"
        return headers

    def _check_same_server(self, url: str) -> None:
        ours, theirs = urlsplit(self.base_url), urlsplit(url)
        same = (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)
        if not same or not theirs.path.startswith(ours.path):
            raise FetchFailed(
                f"the server's next page is at another address ({theirs.scheme}://"
                f"{theirs.netloc}); not followed, so the token goes nowhere else"
            )

    def _get(self, client: httpx.Client, url: str) -> dict[str, Any]:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self.wait,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._get_once(client, url)
        except _Retry as exc:
            raise FetchFailed(f"{_shown(url)}: {exc} (tried {self.attempts} times)") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _get_once(self, client: httpx.Client, url: str) -> dict[str, Any]:
        try:
            with client.stream("GET", url) as response:
                if response.status_code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {response.status_code}")
                if response.status_code in (401, 403):
                    raise FetchFailed(
                        f"{_shown(url)}: HTTP {response.status_code}; the server refused "
                        "FHIR_TOKEN (expired, or not allowed to read this)"
                    )
                if response.status_code != 200:
                    raise FetchFailed(f"{_shown(url)}: HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BUNDLE_BYTES:
                        raise FetchFailed(f"{_shown(url)}: a page larger than 20 MB")
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except httpx.TransportError as exc:
            raise _Retry(f"no connection ({type(exc).__name__})") from None
        log.info("FHIR page read: %s (%d bytes)", _shown(url), len(body))
        try:
            return parse_bundle_bytes(bytes(body), name=_shown(url))
        except BundleRefused as exc:
            raise FetchFailed(str(exc)) from None


def _shown(url: str) -> str:
    """The URL without its query, which may carry paging state but never the token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"

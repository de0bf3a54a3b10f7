"""No request body larger than the largest thing anyone sends here (a 1,600-character message,
a Twilio webhook, a sign-in form): refused with 413 before it is read (issue 18: an 8 MB chat
body was read in full). A route that takes uploads (the records import) is named with a larger
limit of its own; every other path keeps the small one."""

from collections.abc import Mapping
from typing import NamedTuple

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class Allowance(NamedTuple):
    """A larger limit for one path, and what to tell a person whose upload is past it."""

    max_bytes: int
    detail: str


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = MAX_BODY_BYTES,
        larger: Mapping[str, Allowance] | None = None,
    ) -> None:
        self.app = app
        self.default = Allowance(max_bytes, f"the request is larger than {max_bytes // 1024} KB")
        # Exact path -> its own limit (no prefixes: a new route never inherits a large one).
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit.max_bytes:
            await _refuse(limit, scope, receive, send)
            return
        # A body sent in chunks without a length is read here, at most the limit of it, and
        # handed on whole; past the limit the app never sees it.
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit.max_bytes:
                await _refuse(limit, scope, receive, send)
                return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(limit: Allowance, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": limit.detail}, status_code=413)
    await response(scope, receive, send)

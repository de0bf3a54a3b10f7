"""Cross-site request forgery: a state-changing request that carries a staff session must come
from one of our own pages. Browsers send `Origin` with every POST, PUT, PATCH and DELETE, so a
foreign one is refused (403); a request without it is not from a browser page and cannot ride
on a victim's cookie. The cookie is SameSite=strict as well (issue 18)."""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "staff_session"


class OriginCheck:
    def __init__(self, app: ASGIApp, *, public_base_url: str) -> None:
        self.app = app
        self.public_host = urlsplit(public_base_url).netloc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            signed_in = f"{SESSION_COOKIE}=" in headers.get("cookie", "")
            if signed_in and origin is not None:
                ours = {self.public_host, headers.get("host", "")}
                if urlsplit(origin).netloc not in ours:
                    response = JSONResponse(
                        {"detail": "this request did not come from the assistant's own pages"},
                        status_code=403,
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

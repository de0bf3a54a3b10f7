"""Headers on every response: a Content-Security-Policy that runs only this page's own
scripts and styles (by a nonce made per request), no framing, no MIME sniffing, and no
caching, since pages and JSON carry health details (issue 18)."""

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The admin-only API page (/docs) loads Swagger UI from its CDN.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' https://cdn.jsdelivr.net").replace(
    "style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        # Pages put it on their <script> and <style> tags: request.state.csp_nonce.
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = (DOCS_CSP if scope["path"] == "/docs" else CSP).format(nonce=nonce)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                # Not "no-referrer": under it a browser sends `Origin: null` with our own
                # pages' form posts (sign-out, password), which the Origin check must refuse.
                # No address ever leaves for another site either way.
                headers["Referrer-Policy"] = "same-origin"
                headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)

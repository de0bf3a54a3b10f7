"""`python -m bench.security_probe --api URL`: probe a running assistant from outside for the
findings of issue 18 and print one line each, `safe` or `OPEN`. (Forced intents are not probed
from outside: the words "book_appointment" still mean booking once the slash is gone; the
turn tests check that the slash is.)

Run it against the production profile (`make run-prod`); against `make run`, which is a
developer's machine, the development secret is accepted on purpose and that line says OPEN."""

import argparse
import base64
import json
import sys
import uuid
from collections.abc import Callable

import httpx
import itsdangerous

from assistant.settings import DEVELOPMENT_SESSION_SECRET

VET = "cedar-vet-oncology"


def forged_cookie(staff_id: int) -> str:
    """A session cookie signed with the secret written in the code, as an attacker would."""
    data = base64.b64encode(json.dumps({"staff_id": staff_id, "session_version": 0}).encode())
    return itsdangerous.TimestampSigner(DEVELOPMENT_SESSION_SECRET).sign(data).decode()


def probes(api: httpx.Client) -> list[tuple[str, Callable[[], bool]]]:
    def default_secret() -> bool:
        return all(
            api.get(
                "/api/v1/nurse/queue", cookies={"staff_session": forged_cookie(staff_id)}
            ).status_code
            == 401
            for staff_id in range(1, 12)
        )

    def api_description() -> bool:
        return all(
            api.get(path, follow_redirects=False).status_code in (303, 401, 403)
            for path in ("/openapi.json", "/docs")
        )

    def headers() -> bool:
        got = api.get(f"/chat/{VET}").headers
        return (
            "frame-ancestors 'none'" in got.get("content-security-policy", "")
            and got.get("x-content-type-options") == "nosniff"
            and got.get("cache-control") == "no-store"
        )

    def internal_without_token() -> bool:
        response = api.post(
            f"/internal/v1/conversations/{uuid.uuid4()}/escalations",
            json={"priority": "emergency", "category": "probe", "summary": "probe"},
        )
        return response.status_code in (401, 403)

    def unsigned_sms() -> bool:
        form = {"MessageSid": "SMprobe", "From": "+13125550199", "To": "+13125550101", "Body": "x"}
        return api.post("/twilio/sms", data=form).status_code in (403, 503)

    def chat_flood() -> bool:
        first = api.post(f"/api/v1/chat/{VET}/messages", json={"text": "hello"})
        body = {"chat_token": first.json().get("chat_token"), "text": "hello"}
        codes = [api.post(f"/api/v1/chat/{VET}/messages", json=body).status_code for _ in range(24)]
        return 429 in codes

    def guessed_chat() -> bool:
        guess = {"chat_token": "web-owner-guessing-a-name"}
        replies = api.get(f"/api/v1/chat/{VET}/staff-replies", params=guess)
        joined = api.post(f"/api/v1/chat/{VET}/messages", json={**guess, "text": "hello"})
        return replies.status_code == 404 and joined.status_code == 404

    def sign_in_lockout() -> bool:
        email = "jordan.reyes@cedar-vet.example.org"
        codes = [
            api.post(
                "/login", data={"email": email, "password": f"guess-{n}"}, follow_redirects=False
            ).status_code
            for n in range(7)
        ]
        return codes[-1] == 429

    def oversized_chat() -> bool:
        body = {"text": "x" * 8_000_000}
        return api.post(f"/api/v1/chat/{VET}/messages", json=body).status_code == 413

    return [
        ("a cookie signed with the secret in the code signs nobody in", default_secret),
        ("/openapi.json and /docs need a signed-in admin", api_description),
        ("pages forbid framing, sniffing and caching", headers),
        ("internal endpoints refuse a caller without the token", internal_without_token),
        ("an unsigned SMS webhook is refused", unsigned_sms),
        ("one web chat is limited (25 messages at once)", chat_flood),
        ("a made-up chat token neither reads nor joins a chat", guessed_chat),
        ("failed sign-ins lock the account", sign_in_lockout),
        ("an 8 MB chat message is refused", oversized_chat),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.security_probe")
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    open_findings = 0
    with httpx.Client(base_url=args.api, timeout=60) as api:
        for name, probe in probes(api):
            safe = probe()
            open_findings += not safe
            print(f"{'safe' if safe else 'OPEN'}  {name}", flush=True)
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main())

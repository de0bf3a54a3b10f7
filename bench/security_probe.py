"""`python -m bench.security_probe --api URL [--rasa URL --actions URL]`: probe a running
assistant from outside for the findings of issue 18 and print one line each, `safe` or `OPEN`.
(Forced intents are not probed from outside: the words "book_appointment" still mean booking
once the slash is gone; the turn tests check that the slash is.)

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


def probes(
    api: httpx.Client, rasa: httpx.Client, actions: httpx.Client
) -> list[tuple[str, Callable[[], bool]]]:
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

    def no_internal_endpoints() -> bool:
        response = api.post(
            f"/internal/v1/conversations/{uuid.uuid4()}/escalations",
            json={"priority": "emergency", "category": "probe"},
            headers={"Authorization": "Bearer local-dev-internal-token"},
        )
        return response.status_code == 404

    def action_server_without_token() -> bool:
        call = {"next_action": "action_answer_faq", "tracker": {"sender_id": "probe"}}
        listed, ran = actions.get("/actions"), actions.post("/webhook", json=call)
        return listed.status_code == 401 and ran.status_code == 401

    def rasa_without_token() -> bool:
        return rasa.get(f"/conversations/{uuid.uuid4()}/tracker").status_code in (401, 403)

    def unsigned_sms() -> bool:
        form = {"MessageSid": "SMprobe", "From": "+13125550199", "To": "+13125550101", "Body": "x"}
        return api.post("/twilio/sms", data=form).status_code in (403, 503)

    def chat_flood() -> bool:
        first = api.post(f"/api/v1/chat/{VET}/messages", json={"text": "hello"})
        body = {"chat_token": first.json().get("chat_token"), "text": "hello"}
        codes = [api.post(f"/api/v1/chat/{VET}/messages", json=body).status_code for _ in range(24)]
        return 429 in codes

    def paging_flood() -> bool:
        # Each red flag in a new chat opens an emergency case and pages (dry run here).
        body = {"text": "security probe: my dog collapsed and his gums are white"}
        codes = [api.post(f"/api/v1/chat/{VET}/messages", json=body).status_code for _ in range(12)]
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
        ("the public listener has no internal endpoints", no_internal_endpoints),
        ("the action server runs nothing without its token", action_server_without_token),
        ("Rasa's HTTP API shows no conversation without its token", rasa_without_token),
        ("an unsigned SMS webhook is refused", unsigned_sms),
        ("one web chat is limited (25 messages at once)", chat_flood),
        ("a made-up chat token neither reads nor joins a chat", guessed_chat),
        ("new chats that page the on-call clinician are limited per address", paging_flood),
        ("failed sign-ins lock the account", sign_in_lockout),
        ("an 8 MB chat message is refused", oversized_chat),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.security_probe")
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--actions", default="http://127.0.0.1:5055")
    args = parser.parse_args(argv)
    open_findings = 0
    with (
        httpx.Client(base_url=args.api, timeout=60) as api,
        httpx.Client(base_url=args.rasa, timeout=30) as rasa,
        httpx.Client(base_url=args.actions, timeout=30) as actions,
    ):
        for name, probe in probes(api, rasa, actions):
            safe = probe()
            open_findings += not safe
            print(f"{'safe' if safe else 'OPEN'}  {name}", flush=True)
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main())

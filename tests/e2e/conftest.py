"""The whole stack as real processes (rasa, actions, api) on the trained model, booted once
for every end-to-end module: tests talk to it over HTTP the way the web chat does."""

import json
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright
from twilio.request_validator import RequestValidator

from assistant.channels.web_chat import chat_message
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.settings import ROOT
from tests.support import processes

TOKEN = "e2e-internal-token"
DEMO_PASSWORD = "demo-password"  # every demo account's, says the README
# The address Twilio is told to call, as `stack.text` and `send-test-sms` sign it: the api's
# default PUBLIC_BASE_URL.
PUBLIC_BASE_URL = "http://127.0.0.1:8000"
BOOT_TIMEOUT = 300  # seconds; Rasa loads TensorFlow and the model
SLA_CHECK_SECONDS = 5  # the shared stack's deadline check, in seconds


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs the tests marked needs_model once the model is trained, the others
    while it trains: a test on the shared stack without the mark would start too early."""
    for item in items:
        uses_stack = {"stack", "rasa_up"} & set(getattr(item, "fixturenames", ()))
        if uses_stack and item.get_closest_marker("needs_model") is None:
            raise pytest.UsageError(f"{item.nodeid} uses the stack: mark it needs_model")


def _model() -> Path:
    try:
        return processes.trained_model()
    except RuntimeError:
        pytest.fail("no trained model: run `make train` (make test does it for you)")


@dataclass
class Stack:
    api: str
    workdir: Path
    env: dict[str, str]
    commands: dict[str, list[str]]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Web chat: the token the api issued to each test's client, by the name the test uses.
    chat_tokens: dict[str, str] = field(default_factory=dict)

    def start(self, name: str) -> None:
        self.processes[name] = processes.start(name, self.commands[name], self.env, self.workdir)

    def wait_healthy(self) -> None:
        # /health is 200 only when the database, Rasa (with its model) and actions are all up.
        processes.wait_for(f"{self.api}/health", self.processes, self.workdir, timeout=BOOT_TIMEOUT)

    def outbox(self) -> list[tuple[str, str | None, str]]:
        """(to, template, kind) of every SMS queued so far, oldest first."""
        with sqlite3.connect(self.workdir / "assistant.db") as db:
            return db.execute(
                "SELECT to_number, template_id, kind FROM outbox_message ORDER BY id"
            ).fetchall()

    def sms(self, text: str, sender: str) -> None:
        """A signed Twilio webhook, posted by the project's own local command."""
        env = {**self.env, "API_PORT": self.api.rsplit(":", 1)[1]}
        command = [
            str(processes.APP_PYTHON),
            "-m",
            "assistant",
            "send-test-sms",
            text,
            "--from",
            sender,
        ]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    def text(self, text: str, *, sender: str, to: str) -> list[tuple[str, str]]:
        """One SMS through the signed webhook, as Twilio posts it; returns (template, text) of
        each reply to it once the inbox has answered it."""
        params = {
            "MessageSid": f"SMe2e{uuid.uuid4().hex[:24]}",
            "From": sender,
            "To": to,
            "Body": text,
            "NumMedia": "0",
        }
        # The api's default PUBLIC_BASE_URL and dry-run token, as `send-test-sms` signs.
        signature = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(
            "http://127.0.0.1:8000/twilio/sms", params
        )
        with sqlite3.connect(self.workdir / "assistant.db") as db:
            (last,) = db.execute("SELECT coalesce(max(id), 0) FROM outbox_message").fetchone()
        response = httpx.post(
            f"{self.api}/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(self.workdir / "assistant.db") as db:
                row = db.execute(
                    "SELECT status FROM inbox_message WHERE provider_message_id = ?",
                    (params["MessageSid"],),
                ).fetchone()
                if row and row[0] == "processed":
                    return db.execute(
                        "SELECT template_id, body FROM outbox_message"
                        " WHERE id > ? AND to_number = ? AND kind = 'reply' ORDER BY id",
                        (last, sender),
                    ).fetchall()
            time.sleep(0.1)
        raise AssertionError(f"no answer to {text!r} within 60 s")

    def send(self, practice: str, text: str, sender: str) -> dict:
        """A web chat message from the client the test calls `sender`: its first message
        starts a chat, the next ones carry the token the api issued."""
        body = chat_message(text, self.chat_tokens.get(sender))
        response = httpx.post(f"{self.api}/api/v1/chat/{practice}/messages", json=body, timeout=60)
        assert response.status_code == 200, response.text
        turn = response.json()
        self.chat_tokens[sender] = turn["chat_token"]
        return turn

    def stop(self, name: str) -> None:
        processes.stop(self.processes.pop(name))


class TwilioMedia:
    """Twilio's media API, played by a local HTTP server: GET answers a picture's bytes with
    its content type, DELETE removes it (204); every request is recorded as (method, path)."""

    def __init__(self) -> None:
        self.pictures: dict[str, tuple[bytes, str]] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def add(self, path: str, body: bytes, content_type: str) -> str:
        """Keep a picture at `path` (no leading slash); returns its MediaUrl."""
        with self._lock:
            self.pictures[f"/{path}"] = (body, content_type)
        return self.base + path

    def seen(self, url: str) -> list[str]:
        """The methods of the requests made for `url`, in order."""
        path = "/" + url.removeprefix(self.base)
        with self._lock:
            return [method for method, seen in self.requests if seen == path]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        media = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _record(self) -> tuple[bytes, str] | None:
                with media._lock:
                    media.requests.append((self.command, self.path))
                    if self.command == "DELETE":
                        return media.pictures.pop(self.path, None)
                    return media.pictures.get(self.path)

            def do_GET(self) -> None:
                picture = self._record()
                if picture is None:
                    self.send_error(404)
                    return
                body, content_type = picture
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_DELETE(self) -> None:
                if self._record() is None:
                    self.send_error(404)
                    return
                self.send_response(204)
                self.end_headers()

        return Handler


@pytest.fixture(scope="session")
def twilio_media() -> Iterator[TwilioMedia]:
    """The fake Twilio media API the shared stack may fetch MMS pictures from."""
    media = TwilioMedia()
    yield media
    media.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, twilio_media: TwilioMedia) -> Iterator[Stack]:
    """One stack shared by the conversation tests, on its own database; it fetches MMS pictures
    only from the fake Twilio media API (`TWILIO_MEDIA_URL_PREFIXES`)."""
    yield from running_stack(
        tmp_path_factory.mktemp("stack"),
        TWILIO_MEDIA_URL_PREFIXES=json.dumps([twilio_media.base]),
        # The deadline check every 5 seconds, not the default 30: the tests that wait for it
        # take a minute less (tests/assistant/test_readme_defaults.py checks the default).
        SLA_CHECK_SECONDS=str(SLA_CHECK_SECONDS),
    )


def running_stack(workdir: Path, **settings: str) -> Iterator[Stack]:
    """Boot rasa, actions and the api on a fresh database in `workdir` (with `settings` in
    their environment); stop them after."""
    rasa_port, actions_port, api_port, internal_port = (processes.free_port() for _ in range(4))
    endpoints = processes.private_endpoints(workdir, actions_port)
    env = processes.app_environment(
        workdir / "assistant.db",
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        ACTIONS_URL=f"http://127.0.0.1:{actions_port}",
        INTERNAL_API_URL=f"http://127.0.0.1:{internal_port}",
        INTERNAL_API_TOKEN=TOKEN,
        SANIC_HOST="127.0.0.1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # The tests run the outreach scheduler themselves, at the times they choose.
        OUTREACH_POLL_SECONDS="0",
        **settings,
    )
    processes.prepare_database(env)
    commands = {
        "rasa": processes.rasa_command(rasa_port, _model(), endpoints),
        "actions": processes.actions_command(actions_port),
        "api": processes.api_command(api_port),
        "internal": processes.internal_api_command(internal_port),
    }
    stack = Stack(api=f"http://127.0.0.1:{api_port}", workdir=workdir, env=env, commands=commands)
    for name in commands:
        stack.start(name)
    try:
        stack.wait_healthy()
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name)


# The README's demo practices, their demo nurses and the template kinds each one sends (a
# template id is <kind>.<category>.<name>, `vet.faq.hair_loss`).
VET = "cedar-vet-oncology"
HUMAN = "harbor-surgical-oncology"
NURSES = {
    VET: "jordan.reyes@cedar-vet.example.org",
    HUMAN: "beth.ramsey@harbor-surgical.example.org",
}
KINDS = {VET: ("vet.", "both."), HUMAN: ("human.", "both.")}
OUTBOX_POLL_SECONDS = 2  # the README's default


def template_category(template_id: str | None) -> str:
    """The category of a template id: `grief` in `vet.grief.<name>`."""
    parts = (template_id or "").split(".")
    return parts[1] if len(parts) == 3 else ""


def sms_number(stack: Stack, slug: str) -> str:
    """The practice's SMS number, as the api lists it."""
    practices = httpx.get(f"{stack.api}/api/v1/practices").json()
    [practice] = [p for p in practices if p["slug"] == slug]
    return str(practice["sms_number"])


def handed_to_twilio(row: dict[str, Any]) -> bool:
    """The outbox delivered the row: without Twilio credentials it is logged as a dry run and
    gets the MessageSid the dry-run gateway gives it."""
    return row["status"] == "dry_run" and bool(row["provider_sid"])


def case_detail(nurse: httpx.Client, case_id: int) -> dict[str, Any]:
    """The case page's data, as a signed-in staff member sees it."""
    response = nurse.get(f"/api/v1/nurse/cases/{case_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def rasa_up(stack: Stack) -> Stack:
    """The shared stack with Rasa running (another module's test may have stopped it)."""
    if "rasa" not in stack.processes:
        stack.start("rasa")
        stack.wait_healthy()
    return stack


@contextmanager
def signed_in(stack: Stack, email: str) -> Iterator[httpx.Client]:
    """An http client signed in as `email`, through the sign-in form."""
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        signed = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert signed.status_code in (302, 303), signed.text
        yield client


@pytest.fixture
def nurses(rasa_up: Stack) -> Iterator[dict[str, httpx.Client]]:
    """A signed-in demo nurse of each practice."""
    with signed_in(rasa_up, NURSES[VET]) as vet, signed_in(rasa_up, NURSES[HUMAN]) as human:
        for client in (vet, human):
            assert client.get("/api/v1/nurse/queue").status_code == 200
        yield {VET: vet, HUMAN: human}


def wait(condition: Callable[[], bool], *, what: str, timeout: float = 30) -> float:
    """Poll `condition` until true; returns the seconds it took."""
    start = time.monotonic()
    while time.monotonic() < start + timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.5)
    raise AssertionError(f"not in {timeout:.0f} s: {what}")


def post_status_callback(
    stack: Stack, *, sid: str, status: str, to: str, sender: str, error_code: str | None = None
) -> None:
    """A Twilio delivery report, signed as Twilio signs it (dry-run token, public address)."""
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "ACe2e00000000000000000000000000000",
        "From": sender,
        "To": to,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        params["ErrorCode"] = error_code
    signature = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(
        f"{PUBLIC_BASE_URL}/twilio/status", params
    )
    response = httpx.post(
        f"{stack.api}/twilio/status", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.is_success, (response.status_code, response.text)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless Chromium on a machine without network or a display.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

"""Boot rasa, the action server and the api as real processes on a trained model, then talk
to them over HTTP the way the web chat does."""

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.settings import ROOT
from tests.support import processes

pytestmark = pytest.mark.e2e
TOKEN = "e2e-internal-token"
BOOT_TIMEOUT = 300  # seconds; Rasa loads TensorFlow and the model


def _model() -> Path:
    if os.environ.get("MODEL"):
        return ROOT / os.environ["MODEL"]
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    return models[-1]


@dataclass
class Stack:
    api: str
    workdir: Path
    env: dict[str, str]
    commands: dict[str, list[str]]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

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

    def send(self, practice: str, text: str, sender: str) -> dict:
        response = httpx.post(
            f"{self.api}/api/v1/chat/{practice}/messages",
            json={"sender": sender, "text": text},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self, name: str) -> None:
        processes.stop(self.processes.pop(name))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    rasa_port, actions_port, api_port = (processes.free_port() for _ in range(3))
    (workdir / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: {workdir / "tracker.db"}\n'
    )
    env = processes.app_environment(
        workdir / "assistant.db",
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        ACTIONS_URL=f"http://127.0.0.1:{actions_port}",
        ASSISTANT_API_URL=f"http://127.0.0.1:{api_port}",
        INTERNAL_API_TOKEN=TOKEN,
        SANIC_HOST="127.0.0.1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    processes.prepare_database(env)
    rasa = str(ROOT / ".venv-rasa/bin/rasa")
    commands = {
        "rasa": [
            rasa,
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(rasa_port),
            "--model",
            str(_model()),
            "--endpoints",
            str(workdir / "endpoints.yml"),
            "--credentials",
            "credentials.yml",
        ],
        "actions": [rasa, "run", "actions", "--actions", "actions", "-p", str(actions_port)],
        "api": processes.api_command(api_port),
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


def test_health_is_all_ok(stack: Stack) -> None:
    body = httpx.get(f"{stack.api}/health").json()

    assert body == {
        "status": "ok",
        "components": {"database": "ok", "rasa": "ok", "actions": "ok", "templates": "ok"},
    }


def test_demo_practices_are_listed(stack: Stack) -> None:
    practices = httpx.get(f"{stack.api}/api/v1/practices").json()

    assert {(p["slug"], p["kind"]) for p in practices} == {
        ("cedar-vet-oncology", "veterinary"),
        ("harbor-surgical-oncology", "human"),
    }


@pytest.mark.parametrize(
    ("practice", "prefix"),
    [("cedar-vet-oncology", ("vet.", "both.")), ("harbor-surgical-oncology", ("human.", "both."))],
)
def test_hi_gets_a_templated_greeting(stack: Stack, practice: str, prefix: tuple[str, str]) -> None:
    turn = stack.send(practice, "hi", sender=f"e2e-hi-{practice}")

    assert turn["route"] == "other"
    [reply] = turn["replies"]
    assert reply["template_id"].startswith(prefix) and reply["template_id"].endswith("greet.hello")
    assert reply["text"]


def test_symptom_report_reaches_the_nurse_queue_through_the_action_server(stack: Stack) -> None:
    turn = stack.send(
        "cedar-vet-oncology",
        "she seems a bit more tired than usual since her chemo",
        sender="e2e-symptom",
    )

    assert turn["route"] == "clinical"
    # the plain or the after-hours variant, depending on when the test runs
    assert turn["replies"][0]["template_id"].startswith("vet.clinical.nurse_will_answer")
    assert turn["escalation"]["priority"] == "routine"


def test_faq_is_answered_from_the_approved_answer(stack: Stack) -> None:
    turn = stack.send(
        "harbor-surgical-oncology", "when can i shower after my surgery", sender="e2e-faq"
    )

    assert turn["route"] == "faq"
    assert turn["replies"][0]["template_id"] == "human.faq.shower_after_surgery"
    assert turn["escalation"] is None


def test_an_sms_is_answered_through_the_signed_webhook(stack: Stack) -> None:
    stack.sms("what time do you open on saturday", sender="+13125550124")

    wait(lambda: any(to == "+13125550124" for to, _, _ in stack.outbox()))
    assert [(t, k) for to, t, k in stack.outbox() if to == "+13125550124"] == [
        ("both.faq.hours", "reply")
    ]


def test_with_rasa_stopped_the_client_still_gets_an_answer_and_a_case(stack: Stack) -> None:
    stack.stop("rasa")

    turn = stack.send("harbor-surgical-oncology", "when is my next visit", sender="e2e-rasa-down")

    assert turn["route"] == "fallback"
    assert turn["replies"][0]["template_id"].endswith("fallback.technical_problem")
    assert turn["escalation"]["priority"] == "routine"
    assert httpx.get(f"{stack.api}/health").status_code == 503


def test_with_rasa_stopped_an_emergency_is_still_answered_at_once(stack: Stack) -> None:
    if "rasa" in stack.processes:
        stack.stop("rasa")

    turn = stack.send(
        "harbor-surgical-oncology",
        "chest pain and i cant catch my breath",
        sender="e2e-emergency-rasa-down",
    )

    assert turn["route"] == "emergency"
    assert turn["replies"][0]["template_id"].startswith("human.emergency.go_now")
    assert "911" in turn["replies"][0]["text"]
    assert turn["escalation"]["priority"] == "emergency"


def test_with_rasa_stopped_an_sms_waits_and_is_answered_when_rasa_is_back(stack: Stack) -> None:
    if "rasa" in stack.processes:
        stack.stop("rasa")
    waiting, urgent = "+17085550125", "+13125550126"

    stack.sms("what should i bring to my first visit", sender=waiting)
    stack.sms("her gums are white and she collapsed", sender=urgent)

    wait(lambda: any(to == urgent and k == "reply" for to, _, k in stack.outbox()))
    assert not any(to == waiting for to, _, _ in stack.outbox())  # kept, not answered yet
    stack.start("rasa")
    stack.wait_healthy()
    wait(lambda: any(to == waiting for to, _, _ in stack.outbox()), timeout=120)
    assert [t for to, t, _ in stack.outbox() if to == waiting] == ["both.faq.what_to_bring"]


def wait(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("not in time")

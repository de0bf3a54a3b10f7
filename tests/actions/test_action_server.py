"""The action server answers only Rasa (issue 18): every call but /health needs the token that
Rasa sends from its endpoints file, and outside development it will not start on the token
written in the code."""

import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import processes

TOKEN = "a-token-of-this-test-only-" + "x" * 20
# What Rasa posts to run an action (rasa_sdk's webhook): an FAQ answer with nothing to answer.
CALL = {
    "next_action": "action_answer_faq",
    "sender_id": "someone-else",
    "tracker": {"sender_id": "someone-else", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


def _request(url: str, token: str | None, body: dict[str, object] | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("actions")
    port = processes.free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "ACTION_SERVER_TOKEN": TOKEN,
        "INTERNAL_API_URL": "http://127.0.0.1:9",  # this action never calls the api
        "SANIC_HOST": "127.0.0.1",
    }
    process = processes.start("actions", processes.actions_command(port), env, workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_for(f"{url}/health", {"actions": process}, workdir, timeout=120)
        yield url
    finally:
        processes.stop(process)


def test_health_is_open_and_nothing_else_is_without_the_token(action_server: str) -> None:
    assert _request(f"{action_server}/health", None) == 200
    assert _request(f"{action_server}/actions", None) == 401
    assert _request(f"{action_server}/webhook", None, CALL) == 401
    assert _request(f"{action_server}/webhook", "wrong", CALL) == 401
    assert _request(f"{action_server}/webhook", "local-dev-action-token", CALL) == 401


def test_with_the_token_an_action_runs(action_server: str) -> None:
    assert _request(f"{action_server}/actions", TOKEN) == 200
    assert _request(f"{action_server}/webhook", TOKEN, CALL) == 200


@pytest.mark.parametrize("token", [None, "local-dev-action-token", "short"])
def test_outside_development_it_will_not_start_on_a_weak_token(
    tmp_path: Path, token: str | None
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    env["ENVIRONMENT"] = "production"
    if token is not None:
        env["ACTION_SERVER_TOKEN"] = token
    command = processes.actions_command(processes.free_port())

    finished = subprocess.run(
        command, cwd=processes.ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert finished.returncode != 0
    assert "ACTION_SERVER_TOKEN" in finished.stderr

"""Sticky routing: each conversation always reaches the same Rasa process."""

import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from assistant.dialogue.rasa_client import DialogueUnavailable, RasaClient, parse_rasa_urls
from assistant.settings import ROOT

TWO = "http://rasa-1.test:5005, http://rasa-2.test:5006/"


class RecordingRasa:
    """Two Rasa processes behind one transport: records which one got each sender's turn."""

    def __init__(self, *, down: tuple[str, ...] = (), no_model: tuple[str, ...] = ()) -> None:
        self.turns: list[tuple[str, str]] = []  # (host, sender)
        self.down = down
        self.no_model = no_model

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/status":
            model = None if host in self.no_model else "models/m.tar.gz"
            return httpx.Response(200, json={"model_file": model})
        self.turns.append((host, json.loads(request.content)["sender"]))
        reply = {"recipient_id": "x", "custom": {"template": "greet.hello", "route": "other"}}
        return httpx.Response(200, json=[reply])


def _client(rasa: RecordingRasa, urls: str = TWO) -> RasaClient:
    return RasaClient(urls, timeout=5, transport=httpx.MockTransport(rasa))


def test_rasa_url_lists_processes_separated_by_commas() -> None:
    assert parse_rasa_urls("http://127.0.0.1:5005") == ["http://127.0.0.1:5005"]
    assert parse_rasa_urls(TWO) == ["http://rasa-1.test:5005", "http://rasa-2.test:5006"]
    with pytest.raises(ValueError):
        parse_rasa_urls(" , ")


def test_one_conversation_always_reaches_the_same_process_in_every_client() -> None:
    rasa = RecordingRasa()
    senders = [str(uuid.uuid4()) for _ in range(20)]

    first, second = _client(rasa), _client(rasa)  # two api workers
    for _ in range(3):
        for sender in senders:
            first.turn(sender, "hi", {})
            second.turn(sender, "hi", {})

    hosts_per_sender = {s: {h for h, sender in rasa.turns if sender == s} for s in senders}
    assert all(len(hosts) == 1 for hosts in hosts_per_sender.values())
    assert len(rasa.turns) == 20 * 3 * 2


def test_the_same_sender_maps_to_the_same_url_in_another_process() -> None:
    # Two api workers are two interpreters, each with its own randomised str hash().
    senders = [f"conversation-{n}" for n in range(8)]
    here = [_client(RecordingRasa()).url_for(s) for s in senders]
    script = (
        "import json, sys; from assistant.dialogue.rasa_client import RasaClient; "
        f"c = RasaClient({TWO!r}, timeout=1); "
        f"print(json.dumps([c.url_for(s) for s in {senders!r}]))"
    )
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout) == here
    assert here == ["http://rasa-1.test:5005"] * 4 + ["http://rasa-2.test:5006"] * 4


def test_many_conversations_are_spread_over_both_processes() -> None:
    rasa = RecordingRasa()
    client = _client(rasa)

    for _ in range(200):
        client.turn(str(uuid.uuid4()), "hi", {})

    per_host = {host: sum(1 for h, _ in rasa.turns if h == host) for host, _ in rasa.turns}
    assert set(per_host) == {"rasa-1.test", "rasa-2.test"}
    assert all(60 <= count <= 140 for count in per_host.values()), per_host


def test_one_url_behaves_as_before() -> None:
    rasa = RecordingRasa()
    client = _client(rasa, "http://rasa-1.test:5005")

    replies = client.turn("anyone", "hi", {})

    assert [r.template_key for r in replies] == ["greet.hello"]
    assert client.status() == {"model_file": "models/m.tar.gz"}
    assert client.process_states() == {"http://rasa-1.test:5005": "ok"}


def test_a_process_that_is_down_fails_only_its_own_conversations() -> None:
    rasa = RecordingRasa(down=("rasa-2.test",))
    client = _client(rasa)
    on_first = next(
        s for s in map(str, range(100)) if client.url_for(s).startswith("http://rasa-1")
    )
    on_second = next(
        s for s in map(str, range(100)) if client.url_for(s).startswith("http://rasa-2")
    )

    assert client.turn(on_first, "hi", {})[0].template_key == "greet.hello"
    with pytest.raises(DialogueUnavailable):
        client.turn(on_second, "hi", {})


def test_process_states_reports_every_process() -> None:
    client = _client(RecordingRasa(down=("rasa-2.test",), no_model=("rasa-1.test",)))

    assert client.process_states() == {
        "http://rasa-1.test:5005": "no model loaded",
        "http://rasa-2.test:5006": "unreachable: ConnectError",
    }

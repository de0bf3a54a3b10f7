"""Outside development the api refuses to start open (issue 18: "refuse to run open")."""

import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from api.main import create_app
from assistant.cli import main as cli
from assistant.dialogue.rasa_client import RasaClient
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.safety.triage import Triage
from assistant.secure_defaults import (
    SECRET_NAMES,
    InsecureSettings,
    problems,
    write_secrets_file,
)
from assistant.settings import ROOT, Settings

STRONG = "s" * 40
OTHER_STRONG = "t" * 40
THIRD_STRONG = "u" * 40
PUBLIC = "https://assistant.example.org"


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "session_secret": STRONG,
        "internal_api_token": OTHER_STRONG,
        "action_server_token": THIRD_STRONG,
        "public_base_url": PUBLIC,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def test_the_default_is_production_not_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT")

    assert Settings(_env_file=None).environment == "production"  # type: ignore[call-arg]


def test_strong_secrets_and_https_are_accepted() -> None:
    assert problems(production()) == []


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"session_secret": "local-dev-session-secret"}, "SESSION_SECRET is the development"),
        ({"internal_api_token": "local-dev-internal-token"}, "INTERNAL_API_TOKEN is the dev"),
        ({"session_secret": "short-but-new"}, "SESSION_SECRET is shorter than 32"),
        ({"action_server_token": "local-dev-action-token"}, "ACTION_SERVER_TOKEN is the dev"),
        ({"internal_api_token": STRONG}, "SESSION_SECRET and INTERNAL_API_TOKEN are the same"),
        ({"action_server_token": OTHER_STRONG}, "INTERNAL_API_TOKEN and ACTION_SERVER_TOKEN are"),
        ({"public_base_url": "http://assistant.example.org"}, "is not https"),
    ],
)
def test_each_open_setting_is_named(overrides: dict[str, str], named: str) -> None:
    assert any(named in problem for problem in problems(production(**overrides)))


def test_plain_http_on_loopback_is_allowed_for_a_single_machine() -> None:
    assert problems(production(public_base_url="http://127.0.0.1:8000")) == []


def test_development_accepts_its_own_values() -> None:
    assert problems(Settings(environment="development", _env_file=None)) == []  # type: ignore[call-arg]


def test_the_api_refuses_to_start_with_the_default_secrets(sqlite_engine: Engine) -> None:
    settings = Settings(
        environment="production", database_url=str(sqlite_engine.url), _env_file=None
    )  # type: ignore[call-arg]

    with pytest.raises(InsecureSettings) as refused:
        create_app(settings)

    message = str(refused.value)
    assert all(name in message for name in SECRET_NAMES if name != "RASA_TOKEN")


def _signed(token: str, params: dict[str, str]) -> dict[str, str]:
    return {
        "X-Twilio-Signature": RequestValidator(token).compute_signature(
            f"{PUBLIC}/twilio/sms", params
        )
    }


SMS = {
    "MessageSid": "SM" + "1" * 32,
    "From": "+13125550120",
    "To": "+13125550101",
    "Body": "hi",
    "NumMedia": "0",
}


def _client(sqlite_engine: Engine, triage: Triage, **overrides: object) -> TestClient:
    settings = production(
        database_url=str(sqlite_engine.url),
        sla_check_seconds=0,
        outbox_poll_seconds=0,
        inbox_sweep_seconds=0,
        outreach_poll_seconds=0,
        **overrides,
    )
    rasa = RasaClient(
        "http://rasa.test", timeout=5, transport=httpx.MockTransport(lambda r: httpx.Response(503))
    )
    return TestClient(create_app(settings, rasa=rasa, triage=triage))


def test_without_a_twilio_token_production_turns_the_webhooks_off(
    sqlite_engine: Engine, triage: Triage
) -> None:
    with _client(sqlite_engine, triage) as client:
        response = client.post("/twilio/sms", data=SMS, headers=_signed(DRY_RUN_AUTH_TOKEN, SMS))

    assert response.status_code == 503
    assert "TWILIO_AUTH_TOKEN" in response.json()["detail"]


def test_with_a_twilio_token_the_dry_run_key_is_refused(
    sqlite_engine: Engine, triage: Triage
) -> None:
    with _client(sqlite_engine, triage, twilio_auth_token="real-token-" + "x" * 21) as client:
        forged = client.post("/twilio/sms", data=SMS, headers=_signed(DRY_RUN_AUTH_TOKEN, SMS))

    assert forged.status_code == 403


def test_generated_secrets_are_owner_only_strong_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secrets.env"

    assert cli(["generate-secrets", str(path)]) == 0
    first = path.read_text()
    values = dict(line.split("=", 1) for line in first.splitlines())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(values) == set(SECRET_NAMES)
    settings = {k.lower(): v for k, v in values.items() if k != "RASA_TOKEN"}
    assert problems(production(**settings)) == []
    assert write_secrets_file(path) == [] and path.read_text() == first


def test_a_secrets_file_from_before_a_new_secret_gains_only_that_one(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("SESSION_SECRET=kept-as-it-was\nINTERNAL_API_TOKEN=kept-too")  # no newline
    path.chmod(0o600)

    assert write_secrets_file(path) == ["RASA_TOKEN", "ACTION_SERVER_TOKEN"]

    lines = path.read_text().splitlines()
    assert lines[:2] == ["SESSION_SECRET=kept-as-it-was", "INTERNAL_API_TOKEN=kept-too"]
    assert [line.split("=")[0] for line in lines[2:]] == ["RASA_TOKEN", "ACTION_SERVER_TOKEN"]


def test_password_hashes_cost_what_production_needs() -> None:
    """Outside the test process (whose hashing is cheap, tests/conftest.py), a staff password
    is hashed with argon2id at its full cost, and a wrong password does not match."""
    program = (
        "from assistant.staff.auth import _verified, hash_password\n"
        "stored = hash_password('correct horse')\n"
        "print(stored, _verified(stored, 'correct horse'), _verified(stored, 'wrong horse'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT
    )
    stored, right, wrong = done.stdout.split()
    # RFC 9106's second recommended option, argon2-cffi's default: 64 MiB, 3 passes, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert (right, wrong) == ("True", "False")

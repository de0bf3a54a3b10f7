"""The production profile for real: two Rasa processes (PostgreSQL tracker store, Redis lock
store, `endpoints.prod.yml`), the action server and the api with two workers, on a private
PostgreSQL database and Redis database 14; the load test finds nothing lost, repeated or
double-booked, and both Rasa processes answered turns."""

import re
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.db.provision import create_database_if_missing
from bench.load_test import run_load_test
from tests.conftest import POSTGRES_URL, REDIS_URL, _skip_or_fail
from tests.e2e.conftest import BOOT_TIMEOUT, _model
from tests.support import processes

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
REDIS_DB = 14
# Production refuses development secrets and dry-run-signed webhooks: its own strong ones.
TWILIO_AUTH_TOKEN = secrets.token_hex(16)
# Beginning with "-", as 1 in 64 generated tokens do: Rasa must still start with it.
RASA_TOKEN = "-" + secrets.token_urlsafe(32)


@dataclass
class Production:
    api: str
    rasa: list[str]
    database_url: str
    tracker_url: str
    workdir: Path


def _server_url(database: str, driver: str) -> str:
    """TEST_POSTGRES_URL's server, naming another database."""
    url = make_url(POSTGRES_URL).set(drivername=driver, database=database)
    return url.render_as_string(hide_password=False)


def _drop(database_url: str) -> None:
    admin = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        name = make_url(database_url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    suffix = uuid.uuid4().hex[:10]
    database_url = _server_url(f"e2e_app_{suffix}", "postgresql+psycopg")
    tracker_url = _server_url(f"e2e_rasa_tracker_{suffix}", "postgresql")
    redis_url = make_url(REDIS_URL).set(database=str(REDIS_DB)).render_as_string(False)
    try:
        lock_store = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
        lock_store.flushdb()
    except redis.RedisError as exc:
        _skip_or_fail(f"Redis not reachable at {redis_url}: {exc}")
    try:
        create_database_if_missing(database_url)
    except Exception as exc:  # noqa: BLE001 - any connection problem means "not reachable"
        _skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")

    workdir = tmp_path_factory.mktemp("production")
    rasa_ports = [processes.free_port(), processes.free_port()]
    actions_port, api_port, internal_port = (processes.free_port() for _ in range(3))
    api = f"http://127.0.0.1:{api_port}"
    rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    env = {
        **processes.app_environment(workdir / "unused.db"),
        "DATABASE_URL": database_url,
        "RASA_TRACKER_URL": tracker_url,
        "REDIS_URL": redis_url,
        "RASA_URL": ",".join(rasa_urls),
        "ACTIONS_URL": f"http://127.0.0.1:{actions_port}",
        "INTERNAL_API_URL": f"http://127.0.0.1:{internal_port}",
        "ENVIRONMENT": "production",
        "INTERNAL_API_TOKEN": secrets.token_urlsafe(48),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(48),
        "SESSION_SECRET": secrets.token_urlsafe(48),
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "RASA_TOKEN": RASA_TOKEN,
        # Twilio signs the address it calls; here that is the api itself.
        "PUBLIC_BASE_URL": api,
        "SANIC_HOST": "127.0.0.1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    started: dict[str, subprocess.Popen[bytes]] = {}
    try:
        # What `make run-prod` does before it starts the processes.
        for step in ("create-databases", "prepare-db"):
            subprocess.run(
                [str(processes.APP_PYTHON), "-m", "assistant", step],
                cwd=processes.ROOT,
                env=env,
                check=True,
            )
        for n, port in enumerate(rasa_ports, start=1):
            # Through `rasa-env`, as Procfile.prod starts them: it hands Rasa the lock store.
            rasa_env = [str(processes.APP_PYTHON), "-m", "assistant", "rasa-env", "--"]
            started[f"rasa{n}"] = processes.start(
                f"rasa{n}",
                rasa_env + processes.rasa_command(port, _model(), "endpoints.prod.yml", RASA_TOKEN),
                env,
                workdir,
            )
        started["actions"] = processes.start(
            "actions", processes.actions_command(actions_port), env, workdir
        )
        started["api"] = processes.start(
            "api", processes.api_command(api_port) + ["--workers", "2"], env, workdir
        )
        started["internal"] = processes.start(
            "internal", processes.internal_api_command(internal_port), env, workdir
        )
        processes.wait_for(f"{api}/health", started, workdir, timeout=BOOT_TIMEOUT)
        yield Production(api, rasa_urls, database_url, tracker_url, workdir)
    finally:
        for process in started.values():
            processes.stop(process)
        _drop(database_url)
        _drop(tracker_url)
        lock_store.flushdb()
        lock_store.close()


@pytest.fixture(scope="module")
def load(production: Production) -> dict[str, Any]:
    """A modest load test: about 90 SMS and web turns at once, then 8 owners racing to book."""
    return run_load_test(
        api=production.api,
        database_url=production.database_url,
        senders=24,
        messages=3,
        retries=8,
        web_senders=6,
        web_turns=3,
        bookers=8,
        timeout=120,
        seed=20261127,
        auth_token=TWILIO_AUTH_TOKEN,
    )


def test_health_reports_both_rasa_processes_and_redis(production: Production) -> None:
    body = httpx.get(f"{production.api}/health").json()
    # Rasa's HTTP API answers only with its token; the api's /health has it.
    tracker = httpx.get(f"{production.rasa[0]}/conversations/anyone/tracker")

    assert body["status"] == "ok"
    assert tracker.status_code == 401
    assert body["components"]["redis"] == "ok"
    assert body["rasa_processes"] == {url: "ok" for url in production.rasa}


def test_load_loses_repeats_and_double_books_nothing(load: dict[str, Any]) -> None:
    assert (load["lost"], load["repeated"], load["double_booked"]) == (0, 0, 0), load
    assert load["sms"] >= 24 * 3 and load["sms_stored"] == load["sms"]
    assert load["sms_retries_posted"] > 0 and load["web_turns"] == 18
    # The owners of one practice all picked the same first time: one got it, others lost.
    assert load["booking"].get("booked", 0) >= 2, load["booking"]
    assert load["booking"].get("lost_race", 0) >= 1, load["booking"]
    assert load["claims_missing"] == load["claims_stale"] == 0


def test_both_rasa_processes_answered_turns_from_one_tracker_store(
    production: Production, load: dict[str, Any]
) -> None:
    log = (production.workdir / "api.log").read_text(errors="replace")
    answered = {
        url: len(re.findall(rf"POST {re.escape(url)}/webhooks/rest/webhook \S+ 200", log))
        for url in production.rasa
    }
    tracker = create_engine(make_url(production.tracker_url).set(drivername="postgresql+psycopg"))
    with tracker.connect() as db:
        conversations = db.scalar(text("SELECT count(DISTINCT sender_id) FROM events"))
    tracker.dispose()

    assert all(count >= 10 for count in answered.values()), answered
    assert conversations is not None and conversations >= 20

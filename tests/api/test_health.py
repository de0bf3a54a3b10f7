import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import Settings


def test_health_reports_each_component_and_503_when_one_is_down(client: TestClient) -> None:
    response = client.get("/health")

    body = response.json()
    assert body["components"]["database"] == "ok"
    assert body["components"]["rasa"] == "ok"
    assert body["components"]["actions"].startswith("unreachable")  # nothing on port 9
    # Nor is the action server's listener running in this test.
    assert body["components"]["internal_api"].startswith("unreachable")
    assert (response.status_code, body["status"]) == (503, "degraded")


def _app_with_two_rasa(
    sqlite_engine: Engine, triage: Triage, *, down: str | None, redis_url: str | None = None
) -> TestClient:
    def two_processes(request: httpx.Request) -> httpx.Response:
        if request.url.host == down:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"model_file": "models/test.tar.gz"})

    settings = Settings(
        database_url=str(sqlite_engine.url),
        actions_url="http://127.0.0.1:9",
        redis_url=redis_url,
        sla_check_seconds=0,
        outbox_poll_seconds=0,
        inbox_sweep_seconds=0,
        outreach_poll_seconds=0,
    )
    rasa = RasaClient(
        "http://rasa-1.test:5005,http://rasa-2.test:5006",
        timeout=5,
        transport=httpx.MockTransport(two_processes),
    )
    return TestClient(create_app(settings, rasa=rasa, triage=triage))


def test_health_reports_every_rasa_process(sqlite_engine: Engine, triage: Triage) -> None:
    with _app_with_two_rasa(sqlite_engine, triage, down=None) as client:
        body = client.get("/health").json()

    assert body["components"]["rasa"] == "ok"
    assert body["rasa_processes"] == {
        "http://rasa-1.test:5005": "ok",
        "http://rasa-2.test:5006": "ok",
    }


def test_health_is_503_when_one_rasa_process_is_down(sqlite_engine: Engine, triage: Triage) -> None:
    with _app_with_two_rasa(sqlite_engine, triage, down="rasa-2.test") as client:
        response = client.get("/health")

    body = response.json()
    assert response.status_code == 503
    assert body["components"]["rasa"] == "http://rasa-2.test:5006 unreachable: ConnectError"
    assert body["rasa_processes"]["http://rasa-1.test:5005"] == "ok"


def test_health_checks_redis_when_it_is_configured(sqlite_engine: Engine, triage: Triage) -> None:
    with _app_with_two_rasa(
        sqlite_engine, triage, down=None, redis_url="redis://127.0.0.1:9/0"
    ) as client:
        response = client.get("/health")

    assert response.json()["components"]["redis"].startswith("unreachable")
    assert response.status_code == 503


def test_one_rasa_process_keeps_the_health_body_as_it_was(client: TestClient) -> None:
    assert set(client.get("/health").json()) == {"status", "components"}

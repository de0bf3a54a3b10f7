from fastapi.testclient import TestClient


def test_health_reports_each_component_and_503_when_one_is_down(client: TestClient) -> None:
    response = client.get("/health")

    body = response.json()
    assert body["components"]["database"] == "ok"
    assert body["components"]["rasa"] == "ok"
    assert body["components"]["actions"].startswith("unreachable")  # nothing on port 9
    assert (response.status_code, body["status"]) == (503, "degraded")

from fastapi.testclient import TestClient

from tests.api.conftest import INTERNAL_TOKEN

AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


def _conversation(client: TestClient) -> str:
    body = client.post("/api/v1/chat/test-vet/messages", json={"text": "she is limping"})
    return body.json()["conversation_id"]


def test_action_server_opens_a_case_for_the_latest_message(client: TestClient) -> None:
    conversation_id = _conversation(client)

    response = client.post(
        f"/internal/v1/conversations/{conversation_id}/escalations",
        json={"priority": "routine", "category": "symptom"},
        headers=AUTH,
    )

    assert response.status_code == 200
    assert response.json()["priority"] == "routine"
    assert response.json()["practice_kind"] == "veterinary"


def test_internal_endpoints_need_the_shared_secret(client: TestClient) -> None:
    conversation_id = _conversation(client)
    url = f"/internal/v1/conversations/{conversation_id}/escalations"
    body = {"priority": "routine", "category": "symptom"}

    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.post(
        "/internal/v1/conversations/nope/escalations", json={"category": "symptom"}, headers=AUTH
    )

    assert response.status_code == 404

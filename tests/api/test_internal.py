from fastapi.testclient import TestClient

from tests.api.conftest import INTERNAL_TOKEN

AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


def _conversation(client: TestClient) -> str:
    body = client.post("/api/v1/chat/test-vet/messages", json={"text": "she is limping"})
    return body.json()["conversation_id"]


def test_action_server_opens_a_case_for_the_latest_message(
    client: TestClient, internal: TestClient
) -> None:
    conversation_id = _conversation(client)

    response = internal.post(
        f"/internal/v1/conversations/{conversation_id}/escalations",
        json={"priority": "routine", "category": "symptom"},
        headers=AUTH,
    )

    assert response.status_code == 200
    assert response.json()["priority"] == "routine"
    assert response.json()["practice_kind"] == "veterinary"


def test_internal_endpoints_need_the_shared_secret(
    client: TestClient, internal: TestClient
) -> None:
    conversation_id = _conversation(client)
    url = f"/internal/v1/conversations/{conversation_id}/escalations"
    body = {"priority": "routine", "category": "symptom"}

    assert internal.post(url, json=body).status_code == 401
    wrong = internal.post(url, json=body, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401


def test_the_public_listener_has_no_internal_endpoints(
    client: TestClient, internal: TestClient
) -> None:
    """Issue 18: the action server's endpoints are on a listener of their own (127.0.0.1 in the
    Procfiles), so the public one answers 404 even with the right token."""
    conversation_id = _conversation(client)
    url = f"/internal/v1/conversations/{conversation_id}/escalations"
    body = {"priority": "routine", "category": "symptom"}

    assert client.post(url, json=body, headers=AUTH).status_code == 404
    assert internal.post(url, json=body, headers=AUTH).status_code == 200
    # Nor are they described on either listener.
    assert internal.get("/openapi.json").status_code == 404
    assert internal.get("/docs").status_code == 404


def test_unknown_conversation_is_404(internal: TestClient) -> None:
    response = internal.post(
        "/internal/v1/conversations/nope/escalations", json={"category": "symptom"}, headers=AUTH
    )

    assert response.status_code == 404

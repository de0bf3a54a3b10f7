import httpx
from fastapi.testclient import TestClient

from tests.api.conftest import ScriptedRasa


def test_turn_result_has_the_designed_shape(client: TestClient) -> None:
    response = client.post(
        "/api/v1/chat/test-surgical/messages", json={"sender": "web-1", "text": "hi"}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation_id", "route", "replies", "escalation"}
    assert body["route"] == "other"
    [reply] = body["replies"]
    assert reply["template_id"] in {"human.greet.hello", "both.greet.hello"}
    assert isinstance(reply["template_version"], int) and reply["text"]
    assert body["escalation"] is None


def test_failed_dialogue_turn_still_answers_and_opens_a_case(
    client: TestClient, scripted_rasa: ScriptedRasa
) -> None:
    scripted_rasa.replies = lambda request: httpx.Response(200, json=[])

    body = client.post(
        "/api/v1/chat/test-vet/messages",
        json={"sender": "web-2", "text": "quick question about my bill"},
    ).json()

    assert body["route"] == "fallback"
    assert body["replies"][0]["template_id"].endswith("fallback.technical_problem")
    assert body["escalation"]["priority"] == "routine"


def test_unknown_practice_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/chat/nowhere/messages", json={"sender": "a", "text": "hi"})

    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]


def test_empty_or_oversized_message_is_refused_with_a_reason(client: TestClient) -> None:
    empty = client.post("/api/v1/chat/test-vet/messages", json={"sender": "a", "text": ""})
    huge = client.post("/api/v1/chat/test-vet/messages", json={"sender": "a", "text": "x" * 1601})

    assert empty.status_code == huge.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "text"]


def test_chat_page_names_the_practice(client: TestClient) -> None:
    response = client.get("/chat/test-vet")

    assert response.status_code == 200
    assert "Test Veterinary Oncology" in response.text
    assert "/api/v1/chat/test-vet/messages" in response.text


def test_stop_and_help_get_the_consent_answers_on_web_chat_too(client: TestClient) -> None:
    stop = client.post("/api/v1/chat/test-vet/messages", json={"sender": "w9", "text": "STOP"})
    help_ = client.post("/api/v1/chat/test-vet/messages", json={"sender": "w9", "text": "help"})
    cancel = client.post(
        "/api/v1/chat/test-vet/messages", json={"sender": "w9", "text": "cancel my appointment"}
    )

    assert (stop.json()["route"], stop.json()["replies"][0]["template_id"]) == (
        "optout",
        "both.consent.stopped",
    )
    assert help_.json()["replies"][0]["template_id"] == "both.consent.help"
    assert cancel.json()["route"] != "optout"

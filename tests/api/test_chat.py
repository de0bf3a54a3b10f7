from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from tests.api.conftest import ScriptedRasa


def test_turn_result_has_the_designed_shape(client: TestClient) -> None:
    response = client.post("/api/v1/chat/test-surgical/messages", json={"text": "hi"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"chat_token", "conversation_id", "route", "replies", "escalation"}
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
        json={"text": "quick question about my bill"},
    ).json()

    assert body["route"] == "fallback"
    assert body["replies"][0]["template_id"].endswith("fallback.technical_problem")
    assert body["escalation"]["priority"] == "routine"


def test_unknown_practice_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/chat/nowhere/messages", json={"text": "hi"})

    assert response.status_code == 404
    assert "nowhere" in response.json()["detail"]


def test_empty_or_oversized_message_is_refused_with_a_reason(client: TestClient) -> None:
    empty = client.post("/api/v1/chat/test-vet/messages", json={"text": ""})
    huge = client.post("/api/v1/chat/test-vet/messages", json={"text": "x" * 1601})

    assert empty.status_code == huge.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "text"]


def test_chat_page_names_the_practice(client: TestClient) -> None:
    response = client.get("/chat/test-vet")

    assert response.status_code == 200
    assert "Test Veterinary Oncology" in response.text
    assert "/api/v1/chat/test-vet/messages" in response.text


def test_stop_and_help_get_the_consent_answers_on_web_chat_too(client: TestClient) -> None:
    stop = client.post("/api/v1/chat/test-vet/messages", json={"text": "STOP"})
    token = stop.json()["chat_token"]
    help_ = client.post(
        "/api/v1/chat/test-vet/messages", json={"chat_token": token, "text": "help"}
    )
    cancel = client.post(
        "/api/v1/chat/test-vet/messages",
        json={"chat_token": token, "text": "cancel my appointment"},
    )

    assert (stop.json()["route"], stop.json()["replies"][0]["template_id"]) == (
        "optout",
        "both.consent.stopped",
    )
    assert help_.json()["replies"][0]["template_id"] == "both.consent.help"
    assert cancel.json()["route"] != "optout"


def test_the_server_issues_the_chat_token_and_the_next_message_joins_that_chat(
    client: TestClient,
) -> None:
    first = client.post("/api/v1/chat/test-vet/messages", json={"text": "hi"}).json()
    second = client.post(
        "/api/v1/chat/test-vet/messages",
        json={"chat_token": first["chat_token"], "text": "thanks"},
    ).json()
    other = client.post("/api/v1/chat/test-vet/messages", json={"text": "hi"}).json()

    assert len(first["chat_token"]) >= 40
    assert second["conversation_id"] == first["conversation_id"]
    assert other["conversation_id"] != first["conversation_id"]
    assert other["chat_token"] != first["chat_token"]


def test_a_made_up_chat_token_or_a_chosen_sender_is_refused_with_a_reason(
    client: TestClient,
) -> None:
    made_up = client.post(
        "/api/v1/chat/test-vet/messages",
        json={"chat_token": "web-owner-guessing-a-name", "text": "hi"},
    )
    chosen = client.post("/api/v1/chat/test-vet/messages", json={"sender": "web-1", "text": "hi"})

    assert made_up.status_code == 404
    assert "without chat_token to start a new one" in made_up.json()["detail"]
    assert chosen.status_code == 422
    assert chosen.json()["detail"][0]["loc"] == ["body", "sender"]


def test_eight_messages_at_once_in_one_chat_are_all_stored_and_answered(
    client: TestClient,
) -> None:
    token = client.post("/api/v1/chat/test-vet/messages", json={"text": "hi"}).json()["chat_token"]

    def send(n: int) -> httpx.Response:
        return client.post(
            "/api/v1/chat/test-vet/messages", json={"chat_token": token, "text": f"hello {n}"}
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(send, range(8)))

    assert [r.status_code for r in responses] == [200] * 8
    assert all(r.json()["replies"] for r in responses)
    assert len({r.json()["conversation_id"] for r in responses}) == 1

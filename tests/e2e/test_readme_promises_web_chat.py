"""README promises about the web chat api and its `chat_token`, checked through the real stack
(rasa, actions, api) with plain http calls, as a web chat client and a nurse make them.

Written from the README and the end-to-end harness, not from the code.
"""

import re
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "cedar-vet-oncology"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"  # the README's demo veterinary nurse
DEMO_PASSWORD = "demo-password"  # every demo account's, says the README


@pytest.fixture
def api(stack: Stack) -> str:
    """The api's base URL, with Rasa running (another module's test may have stopped it)."""
    if "rasa" not in stack.processes:
        stack.start("rasa")
        stack.wait_healthy()
    return stack.api


def send(api: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{api}/api/v1/chat/{VET}/messages", json=body, timeout=60)


def start_chat(api: str, text: str) -> dict[str, object]:
    response = send(api, {"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


def staff_replies(api: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{api}/api/v1/chat/{VET}/staff-replies", params={"chat_token": token}, timeout=30
    )


@pytest.fixture
def nurse(api: str) -> Iterator[httpx.Client]:
    """The demo veterinary nurse, signed in through the sign-in form like a browser."""
    with httpx.Client(base_url=api, timeout=30) as client:
        signed_in = client.post(
            "/login",
            data={"email": VET_NURSE, "password": DEMO_PASSWORD},
            headers={"Origin": api},
        )
        assert signed_in.status_code in (302, 303), signed_in.text
        yield client


def test_the_server_issues_a_chat_token_that_keeps_the_conversation(api: str) -> None:
    first = start_chat(api, "hi")
    assert first["chat_token"], first

    second = send(api, {"chat_token": first["chat_token"], "text": "thanks"})
    assert second.status_code == 200, second.text
    assert second.json()["conversation_id"] == first["conversation_id"], second.json()

    other = start_chat(api, "hi")
    assert other["conversation_id"] != first["conversation_id"], (first, other)
    assert other["chat_token"] != first["chat_token"], (first, other)


def test_a_made_up_chat_token_gets_404_that_says_how_to_start_a_new_chat(api: str) -> None:
    made_up = secrets.token_urlsafe(32)

    for response in (send(api, {"chat_token": made_up, "text": "hi"}), staff_replies(api, made_up)):
        assert response.status_code == 404, (response.request.url, response.text)
        assert re.search(
            r"new (chat|conversation)|without (a |the )?(`)?chat_token", response.text, re.I
        ), response.text


def test_a_client_chosen_sender_is_refused(api: str) -> None:
    response = send(api, {"sender": "someone-else", "text": "hi"})

    assert response.status_code == 422, response.text


def test_staff_replies_open_only_with_the_chats_own_token(api: str, nurse: httpx.Client) -> None:
    concern = "my dog has been limping on her back leg for two days, is that from the chemo?"
    words = "Hi, this is Jordan. Please bring her in tomorrow morning so we can look at the leg."
    turn = start_chat(api, concern)
    other = start_chat(api, "hi")
    assert turn["escalation"], turn  # a clinical question goes to the nurse queue
    case_id = turn["escalation"]["id"]  # type: ignore[index]

    claimed = nurse.post(f"/api/v1/nurse/cases/{case_id}/claim", headers={"Origin": api})
    assert claimed.status_code == 200, claimed.text
    replied = nurse.post(
        f"/api/v1/nurse/cases/{case_id}/reply", json={"text": words}, headers={"Origin": api}
    )
    assert replied.status_code == 200, replied.text

    deadline = time.monotonic() + 15
    while words not in (own := staff_replies(api, str(turn["chat_token"]))).text:
        assert time.monotonic() < deadline, (own.status_code, own.text)
        time.sleep(0.5)
    assert own.status_code == 200, own.text

    foreign = staff_replies(api, str(other["chat_token"]))
    assert words not in foreign.text, foreign.text

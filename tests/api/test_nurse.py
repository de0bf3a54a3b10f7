"""Nurse queue API: sign-in, practice scoping, roles, and the life of a case."""

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.main import create_app
from assistant.db.engine import make_session_factory
from assistant.db.models import Conversation, Message, OutboxMessage
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import ScriptedRasa
from tests.conftest import with_demo_data

VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_NURSE_2 = "casey.morgan@cedar-vet.example.org"
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"
HUMAN_NURSE = "beth.ramsey@harbor-surgical.example.org"


@pytest.fixture
def engine_with_demo(sqlite_engine: Engine) -> Engine:
    with_demo_data(sqlite_engine, today=date(2026, 11, 30))
    return sqlite_engine


@pytest.fixture
def app(engine_with_demo: Engine, triage: Triage) -> FastAPI:
    scripted = ScriptedRasa()
    scripted.replies = lambda request: httpx.Response(
        200,
        json=[
            {
                "recipient_id": "x",
                "custom": {"template": "clinical.nurse_will_answer", "route": "clinical"},
            }
        ],
    )
    settings = Settings(
        database_url=str(engine_with_demo.url), sla_check_seconds=0, outbox_poll_seconds=0
    )
    rasa = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted))
    return create_app(settings, rasa=rasa, triage=triage)


def signed_in(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    response = client.post(
        "/login", data={"email": email, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def open_chat(app: FastAPI, practice: str, text: str) -> tuple[int, str]:
    """A new web chat whose first message opens a case: the case and the chat's token."""
    with TestClient(app) as client:
        turn = client.post(f"/api/v1/chat/{practice}/messages", json={"text": text}).json()
    return int(turn["escalation"]["id"]), turn["chat_token"]


def open_case(app: FastAPI, practice: str, text: str) -> int:
    return open_chat(app, practice, text)[0]


@pytest.fixture
def vet_nurse(app: FastAPI) -> Iterator[TestClient]:
    with signed_in(app, VET_NURSE) as client:
        yield client


def test_queue_needs_sign_in_and_pages_redirect_to_it(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/nurse/queue").status_code == 401
        page = anonymous.get("/nurse", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login")


def test_wrong_password_is_refused_with_a_message(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.post("/login", data={"email": VET_NURSE, "password": "nope"})
    assert response.status_code == 401
    assert "do not match" in response.text


def test_staff_never_see_another_practices_cases(app: FastAPI) -> None:
    vet_case = open_case(app, "cedar-vet-oncology", "can she have vaccines during chemo")
    human_case = open_case(app, "harbor-surgical-oncology", "what does my path report mean")

    with signed_in(app, HUMAN_NURSE) as human_nurse:
        assert [c["id"] for c in human_nurse.get("/api/v1/nurse/queue").json()] == [human_case]
        assert human_nurse.get(f"/api/v1/nurse/cases/{vet_case}").status_code == 404
        assert human_nurse.post(f"/api/v1/nurse/cases/{vet_case}/claim").status_code == 404


def test_claim_reply_resolve_hands_the_conversation_back(
    app: FastAPI, vet_nurse: TestClient, engine_with_demo: Engine
) -> None:
    case_id, chat_token = open_chat(app, "cedar-vet-oncology", "is it ok to give him fish oil")

    claimed = vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim").json()
    assert (claimed["status"], claimed["claimed_by"]) == ("claimed", "Jordan Reyes")
    replied = vet_nurse.post(
        f"/api/v1/nurse/cases/{case_id}/reply",
        json={"text": "Please hold the fish oil until Dr. Hart calls you."},
    ).json()
    assert replied["messages"][-1]["author"] == "Jordan Reyes"
    with TestClient(app) as owner_page:
        polled = owner_page.get(
            "/api/v1/chat/cedar-vet-oncology/staff-replies", params={"chat_token": chat_token}
        ).json()
        assert [(r["author"], r["text"][:20]) for r in polled] == [
            ("Jordan Reyes", "Please hold the fish")
        ]
    resolved = vet_nurse.post(
        f"/api/v1/nurse/cases/{case_id}/resolve",
        json={"note": "Advised to hold supplement; vet to call."},
    ).json()
    assert resolved["status"] == "resolved"
    assert vet_nurse.get("/api/v1/nurse/queue").json() == []

    with make_session_factory(engine_with_demo)() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.held_by_id is None
        staff_message = session.scalars(
            select(Message).where(Message.author_staff_id.is_not(None))
        ).one()
        assert staff_message.body.startswith("Please hold the fish oil")
        assert session.scalars(select(OutboxMessage)).all() == []  # web chat: no SMS


def test_a_staff_reply_is_read_only_with_its_own_chats_token(
    app: FastAPI, vet_nurse: TestClient
) -> None:
    case_id, _ = open_chat(app, "cedar-vet-oncology", "is it ok to give him fish oil")
    _, other_token = open_chat(app, "cedar-vet-oncology", "can she have vaccines during chemo")
    vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")
    vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/reply", json={"text": "Please hold it."})

    with TestClient(app) as someone_else:
        other = someone_else.get(
            "/api/v1/chat/cedar-vet-oncology/staff-replies", params={"chat_token": other_token}
        )
        guessed = someone_else.get(
            "/api/v1/chat/cedar-vet-oncology/staff-replies",
            params={"chat_token": "web-owner-guessing-a-name"},
        )

    assert (other.status_code, other.json()) == (200, [])
    assert guessed.status_code == 404


def test_second_claim_gets_409_and_reply_needs_the_claim(
    app: FastAPI, vet_nurse: TestClient
) -> None:
    case_id = open_case(app, "cedar-vet-oncology", "should we keep going with chemo")
    with signed_in(app, VET_NURSE_2) as other_nurse:
        assert other_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim").status_code == 200
        response = vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")
        assert response.status_code == 409
        assert "already claimed" in response.json()["detail"]
        refused = vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/reply", json={"text": "hi"})
        assert refused.status_code == 409


def test_admin_can_reassign_but_not_answer_clients(app: FastAPI) -> None:
    case_id = open_case(app, "cedar-vet-oncology", "can he have his rabies shot now")
    with signed_in(app, VET_ADMIN) as admin:
        assert admin.post(f"/api/v1/nurse/cases/{case_id}/claim").status_code == 403
        colleagues = {p["name"]: p["id"] for p in admin.get("/api/v1/nurse/staff").json()}
        moved = admin.post(
            f"/api/v1/nurse/cases/{case_id}/reassign", json={"staff_id": colleagues["Evelyn Hart"]}
        ).json()
        assert (moved["status"], moved["claimed_by"]) == ("claimed", "Evelyn Hart")


def test_resolve_needs_a_note(app: FastAPI, vet_nurse: TestClient) -> None:
    case_id = open_case(app, "cedar-vet-oncology", "what do his lab values mean")
    vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")

    response = vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/resolve", json={"note": "   "})

    assert response.status_code == 409
    assert "note" in response.json()["detail"]


def test_bot_is_silent_while_a_nurse_holds_the_conversation_but_triage_still_runs(
    app: FastAPI, vet_nurse: TestClient
) -> None:
    case_id, chat_token = open_chat(app, "cedar-vet-oncology", "can i give her benadryl")
    vet_nurse.post(f"/api/v1/nurse/cases/{case_id}/claim")

    with TestClient(app) as owner:
        quiet = owner.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            json={"chat_token": chat_token, "text": "ok thanks, also what are your hours"},
        )
        alarm = owner.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            json={
                "chat_token": chat_token,
                "text": "oh no she just collapsed and her gums are white",
            },
        )

    assert quiet.json()["replies"] == []
    assert quiet.json()["escalation"]["id"] == case_id
    assert alarm.json()["route"] == "emergency"
    # go_now or go_now_after_hours, depending on the hour the test runs
    assert alarm.json()["replies"][0]["template_id"].startswith("vet.emergency.go_now")
    case = vet_nurse.get(f"/api/v1/nurse/cases/{case_id}").json()
    assert any("what are your hours" in m["body"] for m in case["messages"])

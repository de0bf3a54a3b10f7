"""Headers, the API description for admins only, and odd input (issue 18, item 8)."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.dialogue.rasa_client import without_forced_intent
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.conftest import with_demo_data

PUBLIC = "https://assistant.example.org"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage, public_base_url=PUBLIC)


def signed_in(client: TestClient, email: str) -> TestClient:
    response = client.post(
        "/login", data={"email": email, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    return client


@pytest.mark.parametrize("path", ["/chat/cedar-vet-oncology", "/login", "/health"])
def test_every_response_forbids_framing_sniffing_and_caching(app: FastAPI, path: str) -> None:
    with TestClient(app) as client:
        response = client.get(path)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_page_runs_only_its_own_scripts_by_a_fresh_nonce(app: FastAPI) -> None:
    with TestClient(app) as client:
        first, second = (client.get("/chat/cedar-vet-oncology") for _ in range(2))

    nonces = []
    for page in (first, second):
        policy = page.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert nonce and "unsafe-inline" not in policy
        assert f'<script nonce="{nonce.group(1)}">' in page.text
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]


def test_the_api_description_is_for_signed_in_admins_only(app: FastAPI) -> None:
    # The session cookie is https-only with an https PUBLIC_BASE_URL.
    https = "https://testserver"
    with TestClient(app, base_url=https) as anonymous:
        assert anonymous.get("/openapi.json", follow_redirects=False).status_code == 303
        assert anonymous.get("/docs", follow_redirects=False).status_code == 303
    with TestClient(app, base_url=https) as nurse:
        assert signed_in(nurse, VET_NURSE).get("/openapi.json").status_code == 403
    with TestClient(app, base_url=https) as admin:
        signed_in(admin, VET_ADMIN)
        described = admin.get("/openapi.json")
        page = admin.get("/docs")

    assert described.status_code == 200 and "/api/v1/chat/{practice}/messages" in str(
        described.json()["paths"]
    )
    assert page.status_code == 200 and "swagger" in page.text.lower()


@pytest.mark.parametrize("count", ["abc", "-1", "11", "1.5"])
def test_a_malformed_picture_count_is_a_clear_400(app: FastAPI, count: str) -> None:
    form = {
        "MessageSid": "SM1",
        "From": "+13125550120",
        "To": "+13125550101",
        "Body": "hi",
        "NumMedia": count,
    }
    signature = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(f"{PUBLIC}/twilio/sms", form)
    with TestClient(app) as client:
        response = client.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 400 and "NumMedia" in response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("/book_appointment", "book_appointment"),
        ("  //talk_to_person{}", "talk_to_person{}"),
        ("/", "?"),
        ("what about 1/2 a pill", "what about 1/2 a pill"),
    ],
)
def test_a_client_cannot_force_an_intent(text: str, sent: str) -> None:
    assert without_forced_intent(text) == sent


def test_a_body_over_64_kb_is_refused_before_it_is_read(app: FastAPI) -> None:
    with TestClient(app) as client:
        huge = client.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            content=b'{"text": "' + b"x" * 8_000_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        normal = client.post("/api/v1/chat/cedar-vet-oncology/messages", json={"text": "hi"})

    assert huge.status_code == 413 and "64 KB" in huge.json()["detail"]
    assert normal.status_code == 200


def test_a_body_without_a_length_is_counted_as_it_arrives(app: FastAPI) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    with TestClient(app) as client:
        response = client.post(
            "/api/v1/chat/cedar-vet-oncology/messages",
            content=chunks(),
            headers={"content-type": "application/json"},
        )

    assert response.status_code == 413

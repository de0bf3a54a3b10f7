"""Pictures by MMS through the signed webhook: the words alone reach triage and Rasa; the
picture is fetched from Twilio with the account's credentials (Twilio's servers are faked at
the HTTP boundary), deleted there, and shown to the practice's clinical staff only."""

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from twilio.request_validator import RequestValidator

from api.main import create_app
from assistant.db.models import AuditLog, Escalation, InboxMessage, Picture
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import ScriptedRasa
from tests.conftest import with_demo_data

PUBLIC = "https://assistant.example.org"
ACCOUNT = "AC" + "5" * 32
AUTH_TOKEN = "test-twilio-auth-token"
VET_NUMBER = "+13125550101"  # Cedar's SMS number in the demo data
OWNER = "+13125550120"
MEDIA = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM1/Media/ME1"
JPEG = b"\xff\xd8\xff\xe0" + b"a swollen leg" * 100
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
VET_BILLING = "renee.dubois@cedar-vet.example.org"
HUMAN_NURSE = "beth.ramsey@harbor-surgical.example.org"


@dataclass
class FakeTwilioMedia:
    """Twilio's media API: GET gives the picture, DELETE removes it; every request is kept."""

    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if url not in self.files:
            return httpx.Response(404)
        if request.method == "DELETE":
            del self.files[url]
            return httpx.Response(204)
        content_type, data = self.files[url]
        return httpx.Response(200, content=data, headers={"Content-Type": content_type})


@pytest.fixture
def twilio_media() -> FakeTwilioMedia:
    return FakeTwilioMedia(files={MEDIA: ("image/jpeg", JPEG)})


@pytest.fixture
def rasa_heard() -> list[str]:
    return []


@pytest.fixture
def client(
    sqlite_engine: Engine, triage: Triage, twilio_media: FakeTwilioMedia, rasa_heard: list[str]
) -> Iterator[TestClient]:
    with_demo_data(sqlite_engine, today=date(2026, 11, 30))
    scripted = ScriptedRasa()

    def hear(request: httpx.Request) -> httpx.Response:
        rasa_heard.append(json.loads(request.content)["message"])
        return httpx.Response(
            200,
            json=[{"recipient_id": "x", "custom": {"template": "greet.hello", "route": "other"}}],
        )

    scripted.replies = hear
    settings = Settings(
        database_url=str(sqlite_engine.url),
        public_base_url=PUBLIC,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=AUTH_TOKEN,
        sla_check_seconds=0,
        outbox_poll_seconds=0,
        inbox_sweep_seconds=0,
        picture_fetch_seconds=0,  # fetched by the test, when it says
    )
    app = create_app(
        settings,
        rasa=RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(scripted)),
        triage=triage,
        twilio_media_transport=httpx.MockTransport(twilio_media),
    )
    with TestClient(app) as test_client:
        yield test_client


def text_in(client: TestClient, body: str, sid: str, *media: tuple[str, str]) -> None:
    params = {"MessageSid": sid, "From": OWNER, "To": VET_NUMBER, "Body": body}
    params["NumMedia"] = str(len(media))
    for i, (url, content_type) in enumerate(media):
        params[f"MediaUrl{i}"] = url
        params[f"MediaContentType{i}"] = content_type
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}/twilio/sms", params)
    response = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    wait_until(lambda: answered(client))


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def answered(client: TestClient) -> bool:
    with client.app.state.assistant.sessions() as session:  # type: ignore[attr-defined]
        statuses = session.scalars(select(InboxMessage.status)).all()
        return bool(statuses) and all(s == "processed" for s in statuses)


def fetch_pictures(client: TestClient) -> None:
    """One run of the api's picture job."""
    state = client.app.state.assistant  # type: ignore[attr-defined]
    with state.sessions() as session:
        state.pictures.run(session, now=datetime.now(UTC))


def signed_in(client: TestClient, email: str) -> TestClient:
    # PUBLIC is https, so the sign-in cookie is only sent over https.
    staff = TestClient(client.app, base_url="https://testserver")
    response = staff.post(
        "/login", data={"email": email, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return staff


def the_case(client: TestClient) -> int:
    with client.app.state.assistant.sessions() as session:  # type: ignore[attr-defined]
        return session.scalars(select(Escalation.id)).one()


def test_a_picture_with_words_sends_only_the_words_to_rasa_and_the_picture_to_the_nurse(
    client: TestClient, twilio_media: FakeTwilioMedia, rasa_heard: list[str]
) -> None:
    words = "this is the lump on his leg, is it bigger?"
    text_in(client, words, "MM1", (MEDIA, "image/jpeg"))
    assert rasa_heard == [words]

    fetch_pictures(client)

    [get, delete] = twilio_media.requests
    assert (get.method, str(get.url), delete.method, str(delete.url)) == (
        "GET",
        MEDIA,
        "DELETE",
        MEDIA,
    )
    credentials = "Basic " + base64.b64encode(f"{ACCOUNT}:{AUTH_TOKEN}".encode()).decode()
    assert get.headers["authorization"] == credentials
    assert MEDIA not in twilio_media.files  # Twilio no longer holds the client's picture

    nurse = signed_in(client, VET_NURSE)
    response = nurse.get(f"/api/v1/nurse/cases/{the_case(client)}")
    assert response.status_code == 200, response.text
    case = response.json()
    [message] = [m for m in case["messages"] if m["direction"] == "in"]
    assert message["body"] == words
    [picture] = message["pictures"]
    assert (picture["status"], picture["content_type"]) == ("stored", "image/jpeg")
    shown = nurse.get(picture["url"])
    assert shown.status_code == 200
    assert (shown.headers["content-type"], shown.content) == ("image/jpeg", JPEG)
    assert shown.headers["x-content-type-options"] == "nosniff"

    # Billing staff of the practice may not see clinical pictures; another practice's
    # staff are told there is no such picture; nobody signed out sees it.
    assert signed_in(client, VET_BILLING).get(picture["url"]).status_code == 403
    assert signed_in(client, HUMAN_NURSE).get(picture["url"]).status_code == 404
    assert TestClient(client.app).get(picture["url"]).status_code == 401


def test_a_picture_alone_is_answered_from_its_template_and_shown_on_a_case(
    client: TestClient, rasa_heard: list[str]
) -> None:
    text_in(client, "", "MM2", (MEDIA, "image/jpeg"))
    assert rasa_heard == []  # no words: nothing for the dialogue to read

    fetch_pictures(client)

    nurse = signed_in(client, VET_NURSE)
    queue = nurse.get("/api/v1/nurse/queue").json()
    assert [(c["category"], c["priority"]) for c in queue] == [("picture", "routine")]
    case = nurse.get(f"/api/v1/nurse/cases/{queue[0]['id']}").json()
    [picture] = [p for m in case["messages"] for p in m["pictures"]]
    assert nurse.get(picture["url"]).content == JPEG
    with client.app.state.assistant.sessions() as session:  # type: ignore[attr-defined]
        seen = session.scalars(select(AuditLog).where(AuditLog.action == "picture.viewed")).all()
    assert [(row.entity_id, row.actor.startswith("staff:")) for row in seen] == [
        (str(picture["id"]), True)
    ]


def test_what_is_not_a_picture_is_not_kept_but_still_deleted_at_twilio(
    client: TestClient, twilio_media: FakeTwilioMedia
) -> None:
    page = MEDIA.replace("ME1", "ME2")
    twilio_media.files[page] = ("text/html", b"<script>alert(1)</script>")
    text_in(client, "see attached", "MM3", (page, "text/html"))

    fetch_pictures(client)  # refused
    fetch_pictures(client)  # Twilio's copy deleted

    assert page not in twilio_media.files
    with client.app.state.assistant.sessions() as session:  # type: ignore[attr-defined]
        picture = session.scalars(select(Picture)).one()
        assert (picture.status, picture.data) == ("refused", None)
        assert "not a picture" in (picture.problem or "")
    nurse = signed_in(client, VET_NURSE)
    case = nurse.get(f"/api/v1/nurse/cases/{the_case(client)}").json()
    [shown] = [p for m in case["messages"] for p in m["pictures"]]
    assert shown["url"] is None and shown["status"] == "refused"
    assert nurse.get(f"/api/v1/nurse/pictures/{shown['id']}").status_code == 404


def test_a_media_address_that_is_not_twilios_is_never_requested(
    client: TestClient, twilio_media: FakeTwilioMedia
) -> None:
    elsewhere = "https://collector.example.net/steal"
    text_in(client, "pic", "MM4", (elsewhere, "image/jpeg"))

    fetch_pictures(client)

    assert twilio_media.requests == []  # the credentials went nowhere
    with client.app.state.assistant.sessions() as session:  # type: ignore[attr-defined]
        picture = session.scalars(select(Picture)).one()
        assert picture.status == "failed"

"""Inbound SMS through the signed Twilio webhook, answered in the background."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from api.main import create_app
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Contact,
    Escalation,
    InboxMessage,
    OutboxMessage,
    Patient,
    Practice,
)
from assistant.dialogue.rasa_client import RasaClient
from assistant.messaging.outbox import deliver_pending, enqueue_sms
from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN
from assistant.safety.triage import Triage
from assistant.settings import Settings
from tests.api.conftest import ScriptedRasa
from tests.assistant.messaging.fake_twilio import FakeTwilio, twilio_gateway
from tests.conftest import with_demo_data

PUBLIC = "https://assistant.example.org"
VET_NUMBER = "+13125550101"  # Cedar's SMS number in the demo data
OWNER = "+13125550120"  # Maria Alvarez, a demo owner


@pytest.fixture
def engine_with_demo(sqlite_engine: Engine) -> Engine:
    with_demo_data(sqlite_engine, today=date(2026, 11, 30))
    return sqlite_engine


@pytest.fixture
def rasa() -> ScriptedRasa:
    scripted = ScriptedRasa()
    scripted.replies = lambda request: httpx.Response(
        200, json=[{"recipient_id": "x", "custom": {"template": "faq.hours", "route": "faq"}}]
    )
    return scripted


@pytest.fixture
def client(engine_with_demo: Engine, triage: Triage, rasa: ScriptedRasa) -> Iterator[TestClient]:
    settings = Settings(
        database_url=str(engine_with_demo.url),
        public_base_url=PUBLIC,
        sla_check_seconds=0,
        outbox_poll_seconds=0,
        inbox_sweep_seconds=0,
    )
    rasa_client = RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(rasa))
    with TestClient(create_app(settings, rasa=rasa_client, triage=triage)) as test_client:
        yield test_client


def signed_post(
    client: TestClient,
    params: dict[str, str],
    *,
    signature: str | None = None,
    token: str = DRY_RUN_AUTH_TOKEN,
) -> httpx.Response:
    if signature is None:
        signature = RequestValidator(token).compute_signature(f"{PUBLIC}/twilio/sms", params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post("/twilio/sms", data=params, headers=headers)


def sms(body: str, sid: str, sender: str = OWNER, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "From": sender,
        "To": VET_NUMBER,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


def db(client: TestClient) -> Session:
    return client.app.state.assistant.sessions()  # type: ignore[attr-defined]


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def settled(client: TestClient) -> bool:
    with db(client) as session:
        statuses = session.scalars(select(InboxMessage.status)).all()
        return bool(statuses) and all(s in ("processed", "retry") for s in statuses)


def outbox(client: TestClient) -> list[OutboxMessage]:
    with db(client) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_signed_message_is_stored_answered_at_once_and_replied_in_the_background(
    client: TestClient,
) -> None:
    response = signed_post(client, sms("what time do you open saturday", "SM1"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Response></Response>" in response.text
    wait_until(lambda: settled(client))
    [reply] = outbox(client)
    assert (reply.to_number, reply.template_id, reply.kind) == (OWNER, "both.faq.hours", "reply")


@pytest.mark.parametrize("tamper", ["forged", "missing", "altered"])
def test_bad_signature_is_refused_and_nothing_is_stored(client: TestClient, tamper: str) -> None:
    params = sms("hello", "SM-bad")
    if tamper == "forged":
        response = signed_post(client, params, token="not-the-auth-token")
    elif tamper == "missing":
        response = signed_post(client, params, signature="")
    else:
        good = RequestValidator(DRY_RUN_AUTH_TOKEN).compute_signature(
            f"{PUBLIC}/twilio/sms", params
        )
        response = signed_post(client, {**params, "Body": "hello, changed"}, signature=good)

    assert response.status_code == 403
    with db(client) as session:
        assert session.scalars(select(InboxMessage)).all() == []


def test_a_twilio_retry_of_the_same_message_is_processed_once(client: TestClient) -> None:
    for _ in range(3):
        assert signed_post(client, sms("are you open today", "SM-retry")).status_code == 200

    wait_until(lambda: settled(client))
    with db(client) as session:
        assert len(session.scalars(select(InboxMessage)).all()) == 1
    assert len(outbox(client)) == 1


def test_stop_opts_out_with_one_confirmation_and_cancel_my_appointment_is_not_stop(
    client: TestClient,
) -> None:
    signed_post(client, sms("cancel my appointment", "SM-c1"))
    wait_until(lambda: settled(client))
    with db(client) as session:
        assert (
            session.scalars(select(Contact.consent).where(Contact.phone == OWNER)).one()
            == "opted_in"
        )

    signed_post(client, sms("STOP", "SM-c2"))
    wait_until(lambda: settled(client))

    with db(client) as session:
        assert (
            session.scalars(select(Contact.consent).where(Contact.phone == OWNER)).one()
            == "opted_out"
        )
    last = outbox(client)[-1]
    assert (last.template_id, last.kind) == ("both.consent.stopped", "consent")


@pytest.mark.parametrize(
    "body",
    [
        "take me off this list please",
        "stop sending these, she passed last week",
        "you have the wrong number, please stop",
    ],
)
def test_an_opt_out_in_own_words_opts_out_with_one_confirmation(
    client: TestClient, body: str
) -> None:
    signed_post(client, sms(body, "SM-own"))
    wait_until(lambda: settled(client))

    with db(client) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
        assert contact.consent == "opted_out"
    last = outbox(client)[-1]
    assert (last.template_id, last.kind, last.to_number) == (
        "both.consent.stopped",
        "consent",
        OWNER,
    )


def test_an_opt_out_with_a_clinical_question_opts_out_and_still_reaches_a_nurse(
    client: TestClient,
) -> None:
    body = "please stop the appointment reminders. but how much gabapentin can she have at night?"
    signed_post(client, sms(body, "SM-oq"))
    wait_until(lambda: settled(client))

    to_owner = [m for m in outbox(client) if m.to_number == OWNER]
    assert to_owner[0].template_id == "both.consent.stopped"
    assert to_owner[1].template_id.startswith("vet.clinical.nurse_will_answer")
    with db(client) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
        assert contact.consent == "opted_out"
        case = session.scalars(select(Escalation)).one()
        assert (case.priority, case.category) == ("routine", "clinical_question")


def test_an_opt_out_with_a_crisis_only_the_safety_net_sees_does_both(
    client: TestClient,
) -> None:
    # The rules list none of these words; the learned safety net reads a crisis in them. Its
    # guess must not cancel the opt-out, nor the opt-out the crisis answer and the page.
    body = "stop texting me. i have been reading about how much of my morphine would be too much"
    signed_post(client, sms(body, "SM-net"))
    wait_until(lambda: settled(client))

    to_owner = [m.template_id for m in outbox(client) if m.to_number == OWNER]
    assert to_owner == ["both.consent.stopped", "both.emergency.self_harm"]
    with db(client) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
        assert contact.consent == "opted_out"
        case = session.scalars(select(Escalation)).one()
        assert (case.priority, case.category) == ("emergency", "self_harm")
        assert case.page_count == 1


def test_an_opt_out_the_safety_net_reads_as_a_crisis_by_its_own_words_is_an_opt_out(
    client: TestClient, triage: Triage
) -> None:
    # The net reads the request itself as a crisis; with the request taken out nothing is left
    # to flag, so the client gets the opt-out alone: no crisis template, no case, no page.
    body = "i dont want texts. take me off"
    assert triage.assess(body, "veterinary").learned  # the net's guess, this test's premise
    signed_post(client, sms(body, "SM-own"))
    wait_until(lambda: settled(client))

    to_owner = [m.template_id for m in outbox(client) if m.to_number == OWNER]
    assert to_owner == ["both.consent.stopped"]
    assert not [m for m in outbox(client) if m.kind == "page"]
    with db(client) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
        assert contact.consent == "opted_out"
        assert session.scalars(select(Escalation)).all() == []


@pytest.mark.parametrize(
    "body",
    [
        "her belly is going in and out really hard and she wont lie down",
        # Spanish, read by the Spanish safety net (README, "Other languages").
        "mi gata esta respirando con la boca abierta y se le mueve muchisimo la panza",
    ],
)
def test_an_emergency_sign_in_words_no_rule_lists_is_answered_and_paged(
    client: TestClient, body: str
) -> None:
    # The rules list none of these words; the safety net reads an emergency sign in them.
    signed_post(client, sms(body, "SM-es"))
    wait_until(lambda: settled(client))

    [reply] = [m for m in outbox(client) if m.to_number == OWNER]
    assert reply.template_id.startswith("vet.emergency.go_now")
    pages = [m for m in outbox(client) if m.kind == "page"]
    assert len(pages) == 1 and pages[0].to_number != OWNER  # the on-call vet
    with db(client) as session:
        case = session.scalars(select(Escalation)).one()
        assert case.priority == "emergency"
        assert [flag["sign"] for flag in case.red_flags] == ["emergency_sign"]


def test_a_red_flag_in_an_opt_out_is_answered_as_a_red_flag(client: TestClient) -> None:
    signed_post(client, sms("stop texting me, he is having a seizure right now", "SM-rf"))
    wait_until(lambda: settled(client))

    to_owner = [m for m in outbox(client) if m.to_number == OWNER]
    # go_now or go_now_after_hours, depending on the hour the test runs
    [reply] = to_owner
    assert reply.template_id.startswith("vet.emergency.go_now")
    with db(client) as session:
        assert session.scalars(select(Escalation.priority)).one() == "emergency"
        contact = session.scalars(select(Contact).where(Contact.phone == OWNER)).one()
        assert contact.consent == "opted_in"  # a person calls them about the seizure


def test_picture_without_words_gets_an_answer_and_a_case(client: TestClient) -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    response = signed_post(
        client, sms("", "MM1", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    )

    assert response.status_code == 200
    wait_until(lambda: settled(client))
    assert [m.template_id for m in outbox(client)] == ["both.media.received"]
    with db(client) as session:
        case = session.scalars(select(Escalation)).one()
        assert (case.priority, case.category) == ("routine", "picture")
        # The picture is fetched and shown on the case page (tests/api/test_mms_pictures.py);
        # its Twilio address, which needs the account's credentials, is not the summary.
        assert url not in case.summary


def test_one_senders_messages_are_answered_in_order(client: TestClient, rasa: ScriptedRasa) -> None:
    seen: list[str] = []

    def slow_in_order(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        time.sleep(0.2)
        return httpx.Response(
            200, json=[{"custom": {"template": "greet.you_are_welcome", "route": "other"}}]
        )

    rasa.replies = slow_in_order
    for n in range(4):
        signed_post(client, sms(f"message number {n}", f"SM-o{n}"))

    wait_until(lambda: settled(client) and len(outbox(client)) == 4)
    assert seen == [f"message number {n}" for n in range(4)]


def test_different_senders_are_answered_at_the_same_time(
    client: TestClient, rasa: ScriptedRasa
) -> None:
    both_inside = threading.Barrier(2, timeout=10)

    def needs_company(request: httpx.Request) -> httpx.Response:
        both_inside.wait()  # only passes when two turns run at once
        return httpx.Response(200, json=[{"custom": {"template": "greet.hello", "route": "other"}}])

    rasa.replies = needs_company
    signed_post(client, sms("hi there", "SM-p1", sender="+13125550124"))
    signed_post(client, sms("hello", "SM-p2", sender="+17085550125"))

    wait_until(lambda: settled(client) and len(outbox(client)) == 2)


def test_with_rasa_down_a_message_waits_and_is_answered_when_rasa_is_back_and_an_emergency_at_once(
    client: TestClient, rasa: ScriptedRasa
) -> None:
    rasa.replies = lambda request: httpx.Response(503, text="down")
    signed_post(client, sms("when is my next appointment", "SM-w1"))
    wait_until(lambda: settled(client))
    signed_post(client, sms("he collapsed and his gums are white", "SM-w2"))
    wait_until(lambda: any(m.template_id and "emergency" in m.template_id for m in outbox(client)))

    with db(client) as session:
        statuses = dict(
            session.execute(select(InboxMessage.provider_message_id, InboxMessage.status)).all()
        )
    assert statuses == {"SM-w1": "retry", "SM-w2": "processed"}
    replies = [m for m in outbox(client) if m.kind == "reply"]
    assert replies[0].template_id.startswith("vet.emergency.go_now")
    assert [m.kind for m in outbox(client)].count("page") == 1  # the on-call vet

    rasa.replies = lambda request: httpx.Response(
        200, json=[{"custom": {"template": "faq.what_to_bring", "route": "faq"}}]
    )
    with db(client) as session:  # its retry is due now
        row = session.scalars(
            select(InboxMessage).where(InboxMessage.provider_message_id == "SM-w1")
        ).one()
        row.next_attempt_at = row.received_at
        session.commit()
    client.app.state.assistant.inbox.drain()  # type: ignore[attr-defined]

    assert outbox(client)[-1].template_id == "both.faq.what_to_bring"


def test_stop_then_a_due_reminder_sends_nothing_but_the_confirmation(client: TestClient) -> None:
    signed_post(client, sms("Stop", "SM-s1"))
    wait_until(lambda: settled(client))
    now = datetime.now(UTC).replace(hour=16)  # 10 am in Chicago: not quiet hours
    with db(client) as session:
        practice = session.scalars(select(Practice).where(Practice.sms_number == VET_NUMBER)).one()
        enqueue_sms(
            session,
            practice=practice,
            to_number=OWNER,
            kind="proactive",
            now=now,
            body="Reminder: Biscuit's chemo visit is tomorrow at 9 am.",
        )
        session.commit()
        twilio = FakeTwilio(now=now)

        deliver_pending(session, gateway=twilio_gateway(twilio), now=now)

    assert [body[:28] for body in twilio.sent_bodies] == ["You will get no more texts f"]
    assert [(m.kind, m.status) for m in outbox(client)] == [
        ("consent", "queued"),
        ("proactive", "suppressed"),
    ]


@pytest.mark.parametrize(
    "body",
    ["🐶🐶 is he ok to eat?? 🙏", "我的狗今天不吃东西", "x" * 1600, "   "],
    ids=["emoji", "other-script", "very-long", "blank"],
)
def test_odd_bodies_are_stored_and_answered(client: TestClient, body: str) -> None:
    assert signed_post(client, sms(body, "SM-odd")).status_code == 200

    wait_until(lambda: settled(client))
    with db(client) as session:
        assert session.scalars(select(InboxMessage.body)).one() == body
    assert len(outbox(client)) >= 1


NURSE_WILL_ANSWER = [
    {"recipient_id": "x", "custom": {"template": "clinical.nurse_will_answer", "route": "clinical"}}
]


@pytest.mark.parametrize(("sender", "booked_for"), [(OWNER, "Pepper"), ("+13125550177", None)])
def test_a_concern_books_a_nurse_call_back_for_a_known_owner(
    client: TestClient, rasa: ScriptedRasa, sender: str, booked_for: str | None
) -> None:
    rasa.replies = lambda request: httpx.Response(200, json=NURSE_WILL_ANSWER)

    signed_post(client, sms("pepper is drinking a lot more water than usual", "SMc1", sender))
    wait_until(lambda: settled(client))

    with db(client) as session:
        calls = session.execute(
            select(Patient.name, Appointment.starts_at)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
            .where(
                AppointmentType.code == "nurse_followup_call",
                Appointment.idempotency_key.like("concern-%"),
            )
        ).all()
        case = session.scalars(select(Escalation)).one()
    assert [name for name, _ in calls] == ([booked_for] if booked_for else [])
    assert ("Nurse follow-up call booked" in case.summary) == (booked_for is not None)
    assert case.priority == "routine"


@pytest.mark.parametrize(
    ("sender", "template", "consent"),
    [
        ("+17735550131", "both.consent.started", "opted_in"),  # Marcus Bell had opted out
        (OWNER, "both.faq.hours", "opted_in"),  # an answer to a question, not a keyword
    ],
)
def test_yes_opts_back_in_only_a_number_that_opted_out(
    client: TestClient, sender: str, template: str, consent: str
) -> None:
    signed_post(client, sms("YES", "SMyes1", sender))
    wait_until(lambda: settled(client))

    with db(client) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == sender)).one()
        assert contact.consent == consent
    assert [m.template_id for m in outbox(client)] == [template]

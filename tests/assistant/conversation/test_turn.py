"""The turn pipeline, with Rasa replaced at its HTTP boundary (the real Rasa runs in tests/e2e)."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation.turn import TurnHandler, TurnResult
from assistant.db.models import Escalation, Message, OutboxMessage, Practice, StaffUser
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry
from tests.conftest import add_practice

NOW = datetime(2026, 11, 30, 18, tzinfo=UTC)  # Monday noon in Chicago: the practice is open
SUNDAY_NIGHT = datetime(2026, 11, 30, 4, tzinfo=UTC)  # Sunday 22:00 in Chicago: closed
TRIAGE: Triage
REGISTRY = TemplateRegistry.load(ROOT / "templates")


def custom(template: str, route: str, **extra: str) -> dict:
    return {"recipient_id": "x", "custom": {"template": template, "route": route, **extra}}


def rasa_answering(respond: Callable[[dict], httpx.Response]) -> RasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        return respond(json.loads(request.content))

    return RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(handler))


@pytest.fixture(autouse=True)
def _shared_triage(triage: Triage) -> None:
    global TRIAGE
    TRIAGE = triage


def handler_for(rasa: RasaClient, registry: TemplateRegistry = REGISTRY) -> TurnHandler:
    return TurnHandler(
        registry=registry,
        dialogue=rasa,
        triage=TRIAGE,
        case_url_base="https://assistant.example.org",
    )


def run_turn(
    session: Session, rasa: RasaClient, text: str, kind: str = "veterinary", now: datetime = NOW
) -> TurnResult:
    practice = add_practice(session, kind=kind)
    handler = handler_for(rasa)
    return handler.handle(
        session, practice=practice, channel="web", sender_key="web-abc", text=text, now=now
    )


def test_greeting_is_answered_from_the_practice_kinds_template(session: Session) -> None:
    seen: list[dict] = []

    def respond(body: dict) -> httpx.Response:
        seen.append(body)
        return httpx.Response(200, json=[custom("greet.hello", "other")])

    result = run_turn(session, rasa_answering(respond), "hi")

    assert result.route == "other"
    assert [r.template_id.split(".", 1)[1] for r in result.replies] == ["greet.hello"]
    assert "Test Veterinary Oncology" in result.replies[0].text or result.replies[0].text
    assert result.escalation is None
    assert seen[0]["sender"] == result.conversation_id
    assert seen[0]["metadata"] == {"practice": "test-vet", "kind": "veterinary"}
    stored = session.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.direction, m.route, m.template_id) for m in stored] == [
        ("in", "other", None),
        ("out", None, result.replies[0].template_id),
    ]


@pytest.mark.parametrize(
    "respond",
    [
        lambda body: httpx.Response(200, json=[]),  # Rasa's way of saying it failed inside
        lambda body: httpx.Response(500, text="boom"),
        lambda body: httpx.Response(200, json=[{"recipient_id": "x", "text": "free text"}]),
    ],
    ids=["empty-turn", "server-error", "untemplated-text"],
)
def test_untrustworthy_turn_gets_the_safe_template_and_a_routine_case(
    session: Session, respond: Callable[[dict], httpx.Response]
) -> None:
    result = run_turn(session, rasa_answering(respond), "my dog is not himself", kind="human")

    assert result.route == "fallback"
    assert [r.template_id for r in result.replies] == [
        REGISTRY.resolve("fallback.technical_problem", "human").id
    ]
    assert "free text" not in result.replies[0].text
    case = session.get(Escalation, result.escalation.id)
    assert (case.priority, case.category, case.summary) == (
        "routine",
        "dialogue_failure",
        "my dog is not himself",
    )


def test_rasa_not_running_is_a_failed_turn_not_silence(session: Session) -> None:
    nobody_listens = RasaClient("http://127.0.0.1:9", timeout=2)

    result = run_turn(session, nobody_listens, "hello?")

    assert result.route == "fallback"
    assert result.replies and result.escalation.priority == "routine"


def test_most_severe_route_wins_and_a_promised_person_gets_a_case(session: Session) -> None:
    rasa = rasa_answering(
        lambda body: httpx.Response(
            200,
            json=[
                custom("greet.hello", "other"),
                custom("clinical.nurse_will_answer", "clinical"),
            ],
        )
    )

    result = run_turn(session, rasa, "hi, can she have her vaccines during chemo")

    assert result.route == "clinical"
    assert len(result.replies) == 2
    assert result.escalation.priority == "routine"


def test_reply_that_declares_a_case_opens_one_even_on_a_non_clinical_route(
    session: Session,
) -> None:
    rasa = rasa_answering(
        lambda body: httpx.Response(
            200, json=[custom("handoff.person_will_reply", "other", case="routine")]
        )
    )

    result = run_turn(session, rasa, "can i talk to a real person")

    assert result.route == "other"
    assert result.escalation is not None
    assert session.get(Escalation, result.escalation.id).category == "other"


def test_same_sender_continues_the_same_conversation(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom("greet.hello", "other")]))
    handler = handler_for(rasa)

    first = handler.handle(
        session, practice=practice, channel="web", sender_key="s1", text="hi", now=NOW
    )
    second = handler.handle(
        session, practice=practice, channel="web", sender_key="s1", text="hi", now=NOW
    )
    other = handler.handle(
        session, practice=practice, channel="web", sender_key="s2", text="hi", now=NOW
    )

    assert first.conversation_id == second.conversation_id != other.conversation_id


@pytest.mark.parametrize("key", ["faq.hair_loss", "no.such.template"])
def test_answer_with_no_approved_template_for_this_practice_goes_to_a_nurse(
    session: Session, key: str
) -> None:
    # faq.hair_loss exists only for veterinary practices; this is the surgical one.
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom(key, "faq")]))

    result = run_turn(session, rasa, "will my hair fall out", kind="human")

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == ["human.clinical.nurse_will_answer"]
    assert result.escalation.priority == "routine"


def test_template_edited_after_approval_is_never_sent(session: Session, tmp_path) -> None:
    import shutil

    import yaml

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    greet_file = tmp_path / "templates" / "both" / "greet.yml"
    document = yaml.safe_load(greet_file.read_text())
    hello = next(t for t in document["templates"] if t["id"] == "both.greet.hello")
    hello["text"] = "Hi! Ask us anything about dosing."  # changed without a new approval
    greet_file.write_text(yaml.safe_dump(document))
    registry = TemplateRegistry.load(tmp_path / "templates")
    practice = add_practice(session, kind="human")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom("greet.hello", "other")]))

    result = handler_for(rasa, registry).handle(
        session, practice=practice, channel="web", sender_key="w", text="hi", now=NOW
    )

    assert all("dosing" not in r.text for r in result.replies)
    assert [r.template_id for r in result.replies] == ["human.clinical.nurse_will_answer"]


ON_CALL_PHONE = "+13125550177"


def add_on_call_oncologist(session: Session, practice: Practice) -> StaffUser:
    """With no rota entry, the practice's oncologists are paged: this one, at ON_CALL_PHONE."""
    oncologist = StaffUser(
        practice_id=practice.id,
        name="Dr. On Call",
        email="oc@example.org",
        role="oncologist",
        phone=ON_CALL_PHONE,
    )
    session.add(oncologist)
    session.flush()
    return oncologist


def rasa_must_not_be_called() -> RasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a red flag must be answered without the dialogue engine")

    return RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(handler))


def test_emergency_is_answered_at_once_and_the_clinician_is_paged(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    add_on_call_oncologist(session, practice)

    result = handler_for(rasa_must_not_be_called()).handle(
        session,
        practice=practice,
        channel="web",
        sender_key="w",
        text="probably nothing but her gums look really pale and she collapsed",
        now=NOW,
    )

    assert result.route == "emergency"
    assert [r.template_id for r in result.replies] == ["vet.emergency.go_now"]
    assert "(312) 555-0199" in result.replies[0].text  # the practice's emergency vet
    case = session.get(Escalation, result.escalation.id)
    assert case.priority == "emergency"
    assert case.due_at == NOW + timedelta(minutes=5)
    assert any("gums" in flag["matched"] for flag in case.red_flags)
    [page] = session.scalars(select(OutboxMessage)).all()
    assert page.to_number == ON_CALL_PHONE
    assert f"/nurse/cases/{case.id}" in page.body and "gums" not in page.body


def test_red_flags_repeated_in_a_conversation_join_one_case_and_page_once_per_raise(
    session: Session,
) -> None:
    practice = add_practice(session, kind="veterinary")
    add_on_call_oncologist(session, practice)
    handler = handler_for(rasa_must_not_be_called())

    def send(text: str) -> TurnResult:
        return handler.handle(
            session, practice=practice, channel="web", sender_key="w", text=text, now=NOW
        )

    urgent = send("she has a fever of 103.5 since her chemo")
    urgent_again = send("still 103.5 and she threw up blood")
    emergency = send("now her gums are white and she collapsed")
    emergency_again = send("she is still not getting up")

    ids = {r.escalation.id for r in (urgent, urgent_again, emergency, emergency_again)}
    assert len(ids) == 1
    assert session.get_one(Escalation, ids.pop()).priority == "emergency"
    # One page when the case opened, one when it became an emergency; none for the repeats.
    assert len(session.scalars(select(OutboxMessage)).all()) == 2


def test_urgent_sign_after_hours_gets_the_after_hours_template(session: Session) -> None:
    result = run_turn(
        session,
        rasa_must_not_be_called(),
        "my incision is red and draining pus",
        kind="human",
        now=SUNDAY_NIGHT,
    )

    assert result.route == "urgent"
    assert [r.template_id for r in result.replies] == ["human.urgent.nurse_will_call_after_hours"]
    assert result.escalation.priority == "urgent"


def test_self_harm_gets_988(session: Session) -> None:
    result = run_turn(session, rasa_must_not_be_called(), "i just want to die", kind="human")

    assert result.route == "emergency"
    assert [r.template_id for r in result.replies] == ["both.emergency.self_harm"]
    assert "988" in result.replies[0].text


def test_negated_sign_goes_to_the_dialogue_engine(session: Session) -> None:
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom("faq.hours", "faq")]))

    result = run_turn(session, rasa, "no fever, no vomiting, just wondering when you open")

    assert result.route == "faq"
    assert result.escalation is None


def test_hypothetical_red_flag_is_a_clinical_question_for_a_nurse(session: Session) -> None:
    rasa = rasa_answering(
        lambda body: httpx.Response(200, json=[custom("faq.take_temperature", "faq")])
    )

    result = run_turn(session, rasa, "what should i do if he gets a fever after chemo")

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == [
        "vet.faq.take_temperature",
        "vet.clinical.nurse_will_answer",
    ]
    assert result.escalation.priority == "routine"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("veterinary", "my son swallowed one of her chemo pills"),
        ("human", "my toddler swallowed one of my chemo pills"),
    ],
)
def test_a_person_who_swallowed_chemo_pills_gets_poison_control(
    session: Session, kind: str, text: str
) -> None:
    result = run_turn(session, rasa_must_not_be_called(), text, kind=kind)

    assert result.route == "emergency"
    assert result.replies[0].template_id.endswith("emergency.person_swallowed_chemo")
    assert "1-800-222-1222" in result.replies[0].text


def test_did_you_mean_shows_the_suggested_answers_approved_title(session: Session) -> None:
    reply = custom("fallback.did_you_mean", "fallback", topic="faq.hair_loss")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))

    result = run_turn(session, rasa, "wil he go bald")

    title = REGISTRY.get("vet.faq.hair_loss").title
    assert result.route == "fallback"
    assert [r.template_id for r in result.replies] == ["both.fallback.did_you_mean"]
    assert f"Did you mean: {title}?" in result.replies[0].text


def test_did_you_mean_an_answer_this_practice_does_not_have_asks_to_rephrase(
    session: Session,
) -> None:
    reply = custom("fallback.did_you_mean", "fallback", topic="faq.hair_loss")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))

    result = run_turn(session, rasa, "wil my hair go", kind="human")

    assert [r.template_id for r in result.replies] == ["both.fallback.rephrase"]


def test_second_unclear_message_opens_a_routine_case(session: Session) -> None:
    reply = custom("fallback.person_will_reply", "fallback", case="routine")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))

    result = run_turn(session, rasa, "zzzz")

    assert result.route == "fallback"
    assert result.escalation is not None and result.escalation.priority == "routine"


def answered_by_a_nurse_instead_of_an_faq(session: Session, kind: str, text: str) -> TurnResult:
    """The dialogue engine picks an FAQ answer for `text`; a nurse answers it instead."""
    key = "faq.giving_pills" if kind == "veterinary" else "faq.fasting"
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom(key, "faq")]))

    result = run_turn(session, rasa, text, kind=kind)

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == [
        f"{'vet' if kind == 'veterinary' else 'human'}.clinical.nurse_will_answer"
    ]
    assert result.escalation is not None and result.escalation.priority == "routine"
    return result


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("veterinary", "can i give him pepcid with his palladia"),
        ("human", "should i stop my eliquis before surgery"),
        ("human", "what does lymphovascular invasion mean on my path report"),
        ("veterinary", "how long do dogs live with lymphoma on chop"),
    ],
)
def test_a_clinical_question_taken_for_an_faq_goes_to_a_nurse_instead(
    session: Session, kind: str, text: str
) -> None:
    # The clinical-question rules overrule the dialogue's FAQ answer.
    result = answered_by_a_nurse_instead_of_an_faq(session, kind, text)

    assert result.escalation is not None
    case = session.get_one(Escalation, result.escalation.id)
    assert any(flag["sign"].startswith("question.") for flag in case.red_flags)


def test_a_refill_request_naming_a_medicine_keeps_its_faq_answer(session: Session) -> None:
    reply = custom("faq.refill_request", "faq", case="routine")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))

    result = run_turn(session, rasa, "can i get a refill of his gabapentin")

    assert [r.template_id for r in result.replies] == ["both.faq.refill_request"]
    assert result.route == "faq"


def test_asking_for_a_person_gets_one_even_when_rasa_reads_it_as_an_faq(session: Session) -> None:
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[custom("faq.hours", "faq")]))

    result = run_turn(session, rasa, "can someone from the office call me", kind="human")

    assert [r.template_id for r in result.replies] == ["both.handoff.person_will_reply"]
    assert result.escalation is not None and result.escalation.priority == "routine"


def test_a_clients_own_slash_command_reaches_rasa_as_words_not_a_forced_intent(
    session: Session,
) -> None:
    seen: list[str] = []

    def respond(body: dict) -> httpx.Response:
        seen.append(body["message"])
        return httpx.Response(200, json=[custom("greet.hello", "other")])

    run_turn(session, rasa_answering(respond), "/book_appointment")

    assert seen == ["book_appointment"]


def test_an_unsure_guess_about_the_body_goes_to_a_nurse_not_did_you_mean(
    session: Session,
) -> None:
    def respond(body: dict) -> httpx.Response:
        guess = custom("fallback.did_you_mean", "faq", topic="faq.hair_loss")
        return httpx.Response(200, json=[guess])

    result = run_turn(session, rasa_answering(respond), "his tongue looks kinda funny today")

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == ["vet.clinical.nurse_will_answer"]
    assert session.scalars(select(Escalation.category)).one() == "unsure_health"


def test_a_request_to_rephrase_words_about_the_body_goes_to_a_nurse(session: Session) -> None:
    def respond(body: dict) -> httpx.Response:
        return httpx.Response(200, json=[custom("fallback.rephrase", "fallback")])

    result = run_turn(session, rasa_answering(respond), "theres a new spot on his tongue")

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == ["vet.clinical.nurse_will_answer"]
    assert session.scalars(select(Escalation.category)).one() == "unsure_health"


def test_a_request_to_rephrase_words_with_no_health_word_stays(session: Session) -> None:
    def respond(body: dict) -> httpx.Response:
        return httpx.Response(200, json=[custom("fallback.rephrase", "fallback")])

    result = run_turn(session, rasa_answering(respond), "blue purple maybe")

    assert [r.template_id for r in result.replies] == ["both.fallback.rephrase"]


def test_an_unsure_guess_about_logistics_still_asks_did_you_mean(session: Session) -> None:
    def respond(body: dict) -> httpx.Response:
        return httpx.Response(
            200, json=[custom("fallback.did_you_mean", "faq", topic="faq.parking")]
        )

    result = run_turn(session, rasa_answering(respond), "where do i leave the car")

    assert [r.template_id for r in result.replies] == ["both.fallback.did_you_mean"]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "veterinary",
            "would a glucosamine chew be alright alongside the leukeran, shes got stiff hips",
        ),
        ("human", "my report says pT1c N0, is that a good or a bad thing"),
    ],
)
def test_a_clinical_question_in_words_no_rule_lists_goes_to_a_nurse_not_an_faq(
    session: Session, kind: str, text: str
) -> None:
    # The clinical-question rules see nothing; the learned FAQ gate
    # (assistant/safety/clinician_gate.py) sends it to a nurse.
    answered_by_a_nurse_instead_of_an_faq(session, kind, text)

    assert session.scalars(select(Escalation.category)).one() == "clinical_question"


def grief_support_planned(session: Session, kind: str, text: str) -> TurnResult:
    """The dialogue engine answers `text` with grief support."""
    reply = custom("grief.support", "grief")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))
    return run_turn(session, rasa, text, kind)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "veterinary",
            "Rosie died last night. should i worry about the other dog, they shared a water "
            "bowl and she was on chlorambucil",
        ),
        ("human", "dad died on tuesday. was the bleeding from the surgery or the blood thinner"),
    ],
)
def test_a_clinical_question_inside_grief_also_reaches_a_nurse(
    session: Session, kind: str, text: str
) -> None:
    # The grief gate (assistant/safety/clinician_gate.py): the support stands, a nurse answers.
    result = grief_support_planned(session, kind, text)

    prefix = "vet" if kind == "veterinary" else "human"
    assert [r.template_id for r in result.replies] == [
        f"{prefix}.grief.support",
        f"{prefix}.clinical.nurse_will_answer",
    ]
    assert result.route == "clinical"
    assert session.scalars(select(Escalation.category)).one() == "clinical_question"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("veterinary", "we said goodbye to Biscuit this morning, thank you all for everything"),
        ("human", "my husband passed away peacefully on sunday, please let the team know"),
    ],
)
def test_grief_alone_gets_grief_support_only(session: Session, kind: str, text: str) -> None:
    result = grief_support_planned(session, kind, text)

    assert [r.template_id for r in result.replies] == [
        f"{'vet' if kind == 'veterinary' else 'human'}.grief.support"
    ]
    assert result.route == "grief"


def test_an_faq_question_keeps_its_answer_past_the_gate(session: Session) -> None:
    reply = custom("faq.e_collar", "faq")
    rasa = rasa_answering(lambda body: httpx.Response(200, json=[reply]))

    result = run_turn(session, rasa, "how long does she need to wear the cone")

    assert [r.template_id for r in result.replies] == ["vet.faq.e_collar"]

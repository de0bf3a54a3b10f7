"""Boot rasa, the action server and the api as real processes on a trained model, then talk
to them over HTTP the way the web chat does."""

import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]


def test_health_is_all_ok(stack: Stack) -> None:
    body = httpx.get(f"{stack.api}/health").json()

    assert body == {
        "status": "ok",
        "components": {
            "database": "ok",
            "rasa": "ok",
            "actions": "ok",
            "internal_api": "ok",
            "templates": "ok",
        },
    }


def test_demo_practices_are_listed(stack: Stack) -> None:
    practices = httpx.get(f"{stack.api}/api/v1/practices").json()

    assert {(p["slug"], p["kind"]) for p in practices} == {
        ("cedar-vet-oncology", "veterinary"),
        ("harbor-surgical-oncology", "human"),
    }


@pytest.mark.parametrize(
    ("practice", "prefix"),
    [("cedar-vet-oncology", ("vet.", "both.")), ("harbor-surgical-oncology", ("human.", "both."))],
)
def test_hi_gets_a_templated_greeting(stack: Stack, practice: str, prefix: tuple[str, str]) -> None:
    turn = stack.send(practice, "hi", sender=f"e2e-hi-{practice}")

    assert turn["route"] == "other"
    [reply] = turn["replies"]
    assert reply["template_id"].startswith(prefix) and reply["template_id"].endswith("greet.hello")
    assert reply["text"]


def test_symptom_report_reaches_the_nurse_queue_through_the_action_server(stack: Stack) -> None:
    turn = stack.send(
        "cedar-vet-oncology",
        "she seems a bit more tired than usual since her chemo",
        sender="e2e-symptom",
    )

    assert turn["route"] == "clinical"
    # the plain or the after-hours variant, depending on when the test runs
    assert turn["replies"][0]["template_id"].startswith("vet.clinical.nurse_will_answer")
    assert turn["escalation"]["priority"] == "routine"


def test_faq_is_answered_from_the_approved_answer(stack: Stack) -> None:
    turn = stack.send(
        "harbor-surgical-oncology", "when can i shower after my surgery", sender="e2e-faq"
    )

    assert turn["route"] == "faq"
    assert turn["replies"][0]["template_id"] == "human.faq.shower_after_surgery"
    assert turn["escalation"] is None


def test_an_sms_is_answered_through_the_signed_webhook(stack: Stack) -> None:
    stack.sms("what time do you open on saturday", sender="+13125550130")

    wait(lambda: any(to == "+13125550130" for to, _, _ in stack.outbox()))
    assert [(t, k) for to, t, k in stack.outbox() if to == "+13125550130"] == [
        ("both.faq.hours", "reply")
    ]


def test_with_rasa_stopped_the_client_still_gets_an_answer_and_a_case(stack: Stack) -> None:
    stack.stop("rasa")

    turn = stack.send("harbor-surgical-oncology", "when is my next visit", sender="e2e-rasa-down")

    assert turn["route"] == "fallback"
    assert turn["replies"][0]["template_id"].endswith("fallback.technical_problem")
    assert turn["escalation"]["priority"] == "routine"
    assert httpx.get(f"{stack.api}/health").status_code == 503


def test_with_rasa_stopped_an_emergency_is_still_answered_at_once(stack: Stack) -> None:
    if "rasa" in stack.processes:
        stack.stop("rasa")

    turn = stack.send(
        "harbor-surgical-oncology",
        "chest pain and i cant catch my breath",
        sender="e2e-emergency-rasa-down",
    )

    assert turn["route"] == "emergency"
    assert turn["replies"][0]["template_id"].startswith("human.emergency.go_now")
    assert "911" in turn["replies"][0]["text"]
    assert turn["escalation"]["priority"] == "emergency"


def test_with_rasa_stopped_an_sms_waits_and_is_answered_when_rasa_is_back(stack: Stack) -> None:
    if "rasa" in stack.processes:
        stack.stop("rasa")
    waiting, urgent = "+13125550166", "+13125550126"

    stack.sms("what should i bring to my first visit", sender=waiting)
    stack.sms("her gums are white and she collapsed", sender=urgent)

    wait(lambda: any(to == urgent and k == "reply" for to, _, k in stack.outbox()))
    assert not any(to == waiting for to, _, _ in stack.outbox())  # kept, not answered yet
    stack.start("rasa")
    stack.wait_healthy()
    wait(lambda: any(to == waiting for to, _, _ in stack.outbox()), timeout=120)
    assert [t for to, t, _ in stack.outbox() if to == waiting] == ["both.faq.what_to_bring"]


def wait(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("not in time")

"""Conversations through the real stack: FAQ answers for each kind of practice, refill
requests that open a staff task, the two-stage fallback, and "talk to a person"."""

import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "cedar-vet-oncology"
HUMAN = "harbor-surgical-oncology"


@pytest.mark.parametrize(
    ("practice", "text", "template_id"),
    [
        (VET, "do i need gloves to give him his chemo pills", "vet.faq.giving_pills"),
        (VET, "will my dog lose his fur on chemo", "vet.faq.hair_loss"),
        (HUMAN, "how do i empty my drain bulb", "human.faq.drain_care"),
        (HUMAN, "when can i drive again after surgery", "human.faq.lifting_driving"),
        (HUMAN, "what time do you open", "both.faq.hours"),
    ],
)
def test_each_kind_of_practice_gets_its_own_approved_answer(
    stack: Stack, practice: str, text: str, template_id: str
) -> None:
    turn = stack.send(practice, text, sender=f"e2e-faq-{template_id}")

    assert turn["route"] == "faq"
    assert [r["template_id"] for r in turn["replies"]] == [template_id]
    assert turn["escalation"] is None


def test_a_refill_request_is_answered_and_opens_a_staff_task(stack: Stack) -> None:
    turn = stack.send(VET, "can i get a refill on his prednisone", sender="e2e-refill")

    assert turn["route"] == "faq"
    assert [r["template_id"] for r in turn["replies"]] == ["both.faq.refill_request"]
    assert turn["escalation"] is not None and turn["escalation"]["priority"] == "routine"


@pytest.mark.parametrize(
    "text",
    [
        "can i talk to a person",
        "i want a real human pls",
        "REPRESENTATIVE",
        "can someone from the office call me",
    ],
)
def test_asking_for_a_person_always_gets_one(stack: Stack, text: str) -> None:
    turn = stack.send(HUMAN, text, sender=f"e2e-person-{text}")

    assert [r["template_id"] for r in turn["replies"]] == ["both.handoff.person_will_reply"]
    assert turn["escalation"] is not None and turn["escalation"]["priority"] == "routine"


def test_two_unclear_messages_in_a_row_hand_the_conversation_to_a_person(stack: Stack) -> None:
    first = stack.send(VET, "qwxz vbnm plk", sender="e2e-unclear")
    second = stack.send(VET, "lorem ipsum dolor", sender="e2e-unclear")

    assert first["route"] == "fallback"
    assert first["replies"][0]["template_id"] in (
        "both.fallback.rephrase",
        "both.fallback.did_you_mean",
    )
    assert first["escalation"] is None
    assert second["route"] == "fallback"
    assert [r["template_id"] for r in second["replies"]] == ["both.fallback.person_will_reply"]
    assert second["escalation"] is not None and second["escalation"]["priority"] == "routine"


def test_an_unclear_message_with_a_word_about_the_body_goes_to_a_nurse(stack: Stack) -> None:
    # Read as unclear with no clinical guess, so the dialogue asks to rephrase; "licked" is a
    # word about the body (exposures), so the api sends a nurse and opens a case instead.
    turn = stack.send(VET, "flarp licked", sender="e2e-unclear-body")

    assert turn["route"] == "clinical"
    assert turn["replies"][0]["template_id"].startswith("vet.clinical.nurse_will_answer")
    assert turn["escalation"] is not None

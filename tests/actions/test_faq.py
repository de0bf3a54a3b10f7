"""`action_answer_faq`: the best-ranked answer the practice's kind can send."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq

DOMAIN = {
    "responses": {
        "utter_faq/children_and_pets": [{"custom": {"kinds": ["veterinary"]}}],
        "utter_faq/parking": [{"custom": {"kinds": ["human", "veterinary"]}}],
        "utter_faq/drain_care": [{"custom": {"kinds": ["human"]}}],
    }
}


def answer(kind: str, ranking: list[str]) -> list[str]:
    latest: dict[str, Any] = {
        "text": "where can my daughter park while she waits",
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": k, "confidence": 0.3} for k in ranking]}
        },
    }
    tracker = Tracker.from_dict(
        {
            "sender_id": "c1",
            "slots": {},
            "latest_message": latest,
            "events": [{"event": "user", "text": latest["text"], "metadata": {"kind": kind}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()
    assert ActionAnswerFaq().run(dispatcher, tracker, DOMAIN) == []
    return [m["response"] for m in dispatcher.messages]


def test_a_surgical_practice_skips_a_pet_answer_ranked_first() -> None:
    ranking = ["faq/children_and_pets", "faq/parking", "faq/drain_care"]

    assert answer("human", ranking) == ["utter_faq/parking"]
    assert answer("veterinary", ranking) == ["utter_faq/children_and_pets"]


def test_no_answer_for_this_kind_goes_to_a_nurse() -> None:
    assert answer("veterinary", ["faq/drain_care"]) == ["utter_nurse_will_answer"]


def test_records_for_an_insurer_are_a_billing_task() -> None:
    records = [{"custom": {"kinds": ["veterinary"]}}]
    domain = {"responses": {**DOMAIN["responses"], "utter_faq/records_request": records}}
    latest: dict[str, Any] = {
        "text": "my pet insurance needs his records",
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": "faq/records_request", "confidence": 0.9}]}
        },
    }
    tracker = Tracker.from_dict(
        {
            "sender_id": "c1",
            "slots": {},
            "latest_message": latest,
            "events": [
                {"event": "user", "text": latest["text"], "metadata": {"kind": "veterinary"}}
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()

    ActionAnswerFaq().run(dispatcher, tracker, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_billing_records_requested"]

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


def answer(kind: str, ranking: list[str], confidences: list[float] | None = None) -> list[Any]:
    confidences = confidences or [0.9] * len(ranking)
    latest: dict[str, Any] = {
        "text": "where can my daughter park while she waits",
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": k, "confidence": c}
                    for k, c in zip(ranking, confidences, strict=True)
                ]
            }
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
    return [
        (m["response"], m["topic"]) if "topic" in m else m["response"] for m in dispatcher.messages
    ]


def test_a_surgical_practice_skips_a_pet_answer_ranked_first() -> None:
    ranking = ["faq/children_and_pets", "faq/parking", "faq/drain_care"]

    assert answer("human", ranking) == ["utter_faq/parking"]
    assert answer("veterinary", ranking) == ["utter_faq/children_and_pets"]


def test_a_doubtful_answer_is_asked_about_before_it_is_sent() -> None:
    ranking = ["faq/parking", "faq/drain_care"]

    assert answer("human", ranking, [0.59, 0.3]) == [("utter_faq_did_you_mean", "faq.parking")]
    assert answer("human", ranking, [0.6, 0.3]) == ["utter_faq/parking"]


def test_a_sure_answer_for_another_kind_does_not_make_a_doubtful_one_sure() -> None:
    ranking = ["faq/children_and_pets", "faq/parking"]

    assert answer("human", ranking, [0.95, 0.04]) == [("utter_faq_did_you_mean", "faq.parking")]


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

"""The fallback judged per route: the booking route's intents count together, and anything else
falls back as Rasa's own FallbackClassifier does. Runs in the Rasa environment (make test runs it
with the action tests)."""

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from rasa_components.route_fallback_classifier import RouteFallbackClassifier

BOOKING = ["book_appointment", "reschedule_appointment", "cancel_appointment"]
CONFIG = {
    "threshold": 0.55,
    "ambiguity_threshold": 0.1,
    "routes": {"booking": BOOKING},
}


def classified(tmp_path: Any, ranking: list[tuple[str, float]]) -> str:
    classifier = RouteFallbackClassifier.create(
        {**RouteFallbackClassifier.get_default_config(), **CONFIG},
        LocalModelStorage(tmp_path),
        Resource("fallback"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={"text": "a message", "intent": entries[0], "intent_ranking": entries})
    classifier.process([message])
    return str(message.get("intent")["name"])


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        # Split between two booking intents, each under 0.55: the route is sure (0.62).
        (
            [("book_appointment", 0.41), ("reschedule_appointment", 0.21), ("faq", 0.17)],
            "book_appointment",
        ),
        (
            [("book_appointment", 0.36), ("faq", 0.32), ("reschedule_appointment", 0.22)],
            "book_appointment",
        ),
        # Too little for the route, even summed.
        (
            [("book_appointment", 0.3), ("faq", 0.28), ("reschedule_appointment", 0.2)],
            "nlu_fallback",
        ),
        # The route that sums highest leads: its best intent comes first.
        (
            [("faq", 0.40), ("book_appointment", 0.35), ("reschedule_appointment", 0.25)],
            "book_appointment",
        ),
        # ... but never over a clinical top intent: unsure, a nurse (actions/fallback.py).
        (
            [("clinical_question", 0.40), ("book_appointment", 0.35), ("cancel_appointment", 0.25)],
            "nlu_fallback",
        ),
        (
            [
                ("reschedule_appointment", 0.33),
                ("clinical_question", 0.30),
                ("book_appointment", 0.1),
            ],
            "nlu_fallback",
        ),
        # An intent outside any route is judged alone, as before.
        ([("faq", 0.5), ("clinical_question", 0.2)], "nlu_fallback"),
        ([("faq", 0.6), ("clinical_question", 0.2)], "faq"),
        ([("faq", 0.6), ("clinical_question", 0.55)], "nlu_fallback"),
    ],
)
def test_fallback_per_route(tmp_path: Any, ranking: list[tuple[str, float]], expected: str) -> None:
    assert classified(tmp_path, ranking) == expected


def test_the_dialogue_still_sees_the_intent_the_classifier_ranked_first(tmp_path: Any) -> None:
    ranking = [("cancel_appointment", 0.35), ("reschedule_appointment", 0.3), ("grief", 0.1)]
    assert classified(tmp_path, ranking) == "cancel_appointment"


def test_the_route_that_leads_keeps_every_guess_in_the_ranking(tmp_path: Any) -> None:
    classifier = RouteFallbackClassifier.create(
        {**RouteFallbackClassifier.get_default_config(), **CONFIG},
        LocalModelStorage(tmp_path),
        Resource("fallback"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    ranking = [("faq", 0.40), ("reschedule_appointment", 0.35), ("book_appointment", 0.25)]
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={"text": "a message", "intent": entries[0], "intent_ranking": entries})

    classifier.process([message])

    assert message.get("intent") == {"name": "reschedule_appointment", "confidence": 0.35}
    names = [e["name"] for e in message.get("intent_ranking")]
    assert names == ["reschedule_appointment", "faq", "book_appointment"]

"""Rasa's FallbackClassifier, judged per route instead of per intent.

Rasa's own classifier asks to rephrase when the top intent is under `threshold`, or within
`ambiguity_threshold` of the second. The booking route has five intents (book, move, cancel,
confirm, ask for the next visit): "do you have anything sooner than the 28th for Luna's
ultrasound?" read as moving a visit at 0.54 and booking one at 0.16, each under the threshold,
and was asked to rephrase though the route was clear (tests/e2e/test_booking.py). Here the
intents of one route (`routes`) count together: the route's summed confidence meets the
threshold, and the ambiguity is measured against the best intent of another route. Within a
route the intents keep their order, so the dialogue still tells "move" from "cancel"
(docs/evaluation.md, "Eighth round"). When a route's intents together outweigh a top intent of
another route, that route's best intent leads: "what time am i scheduled?" read as 0.28 an FAQ
question and 0.54 a booking is a booking. A clinical top intent is never displaced: unsure
between a clinical route and another, the clinical one. Red flags are triaged whatever this
decides.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import (
    AMBIGUITY_THRESHOLD_KEY,
    THRESHOLD_KEY,
    FallbackClassifier,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

# Intents about the patient's health (as actions/fallback.py): never displaced by another route.
CLINICAL_INTENTS = ("report_symptom", "clinical_question")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RouteFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # routes: route name -> its intents (config.yml).
        return {**FallbackClassifier.get_default_config(), "routes": {}}

    def _route_of(self, intent: str) -> str:
        for route, intents in self.component_config["routes"].items():
            if intent in intents:
                return str(route)
        return intent

    def _route_confidences(self, message: Message) -> list[tuple[str, float]]:
        """Each route's summed confidence, best first (an intent outside `routes` is its own)."""
        totals: dict[str, float] = {}
        for entry in message.data.get(INTENT_RANKING_KEY, []):
            route = self._route_of(entry[INTENT_NAME_KEY])
            totals[route] = totals.get(route, 0.0) + float(entry[PREDICTED_CONFIDENCE_KEY])
        return sorted(totals.items(), key=lambda item: item[1], reverse=True)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._lead_with_the_best_route(message)
        return super().process(messages)

    def _lead_with_the_best_route(self, message: Message) -> None:
        """Put the best intent of the likeliest route first, unless the top intent is clinical."""
        ranking = message.data.get(INTENT_RANKING_KEY) or []
        routes = self._route_confidences(message)
        if not ranking or not routes or ranking[0][INTENT_NAME_KEY] in CLINICAL_INTENTS:
            return
        best_route = routes[0][0]
        if self._route_of(ranking[0][INTENT_NAME_KEY]) == best_route:
            return
        leader = next(e for e in ranking if self._route_of(e[INTENT_NAME_KEY]) == best_route)
        message.data[INTENT_RANKING_KEY] = [leader, *(e for e in ranking if e is not leader)]
        message.data[INTENT] = leader

    def _should_fallback(self, message: Message) -> bool:
        top_intent = message.data[INTENT].get(INTENT_NAME_KEY)
        if top_intent is None:
            return True
        routes = self._route_confidences(message)
        top_route = self._route_of(top_intent)
        confidence = dict(routes).get(top_route, 0.0)
        if confidence < self.component_config[THRESHOLD_KEY]:
            return True
        runner_up = next((c for route, c in routes if route != top_route), 0.0)
        return confidence - runner_up < self.component_config[AMBIGUITY_THRESHOLD_KEY]

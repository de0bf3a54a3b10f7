"""Picks the approved FAQ answer for a message, in place of Rasa's ResponseSelector.

It learns the `faq/<topic>` examples of the training data with TF-IDF features (character
n-grams forgive typos, word pairs keep word order) and a logistic regression, and writes its
ranking where Rasa's ResponseSelector writes it (`response_selector.faq`), so the dialogue and
`actions/faq.py` read it unchanged. It trains in seconds where the ResponseSelector's
TensorFlow model took minutes, and picked the right answer more often on the development FAQ
questions (docs/evaluation.md, "FAQ answers from a linear model").
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.pipeline import Pipeline

from rasa_components.linear_model import code_fingerprint, linear_classifier, load_saved, save

MODEL_FILE = "faq_answer_selector.joblib"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqAnswerSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # retrieval_intent: the intent whose examples carry a topic (`faq/<topic>`).
        # strength: the inverse regularisation C; config.yml sets it (30, chosen on sealed
        # generation 17: docs/evaluation.md, "Sixth round").
        # ranking_length: how many answers the ranking keeps, as the ResponseSelector's 10.
        return {"retrieval_intent": "faq", "strength": 10.0, "ranking_length": 10}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return code_fingerprint(__file__)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Pipeline | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier
        self.responses = responses or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqAnswerSelector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        intent = self.config["retrieval_intent"]
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(INTENT) == intent and m.get(TEXT) and m.get(INTENT_RESPONSE_KEY)
        ]
        if len({m.get(INTENT_RESPONSE_KEY) for m in examples}) < 2:
            raise ValueError(f"{intent}: the FAQ answers need examples of two topics or more")
        # Its probabilities are the confidences `actions/faq.py` compares with its threshold.
        self.classifier = linear_classifier(float(self.config["strength"]), "balanced")
        self.classifier.fit(
            [m.get(TEXT) for m in examples], [m.get(INTENT_RESPONSE_KEY) for m in examples]
        )
        # The approved answers' names, as the ResponseSelector reports them with its choice.
        self.responses = {
            name: responses
            for name, responses in training_data.responses.items()
            if name.startswith(f"utter_{intent}/")
        }
        saved = {"classifier": self.classifier, "responses": self.responses}
        save(self._model_storage, self._resource, MODEL_FILE, saved)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqAnswerSelector:
        saved = load_saved(model_storage, resource, MODEL_FILE)
        if saved is None:
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, saved["classifier"], saved["responses"])

    def process(self, messages: list[Message]) -> list[Message]:
        if self.classifier is None:
            return messages
        intent = self.config["retrieval_intent"]
        probabilities = self.classifier.predict_proba([m.get(TEXT) or "" for m in messages])
        topics = self.classifier.classes_
        for message, row in zip(messages, probabilities, strict=True):
            order = row.argsort()[::-1][: int(self.config["ranking_length"])]
            ranking = [
                {"id": int(i), "confidence": float(row[i]), INTENT_RESPONSE_KEY: str(topics[i])}
                for i in order
            ]
            best = ranking[0]
            prediction = {
                "response": {
                    "responses": self.responses.get(f"utter_{best[INTENT_RESPONSE_KEY]}", []),
                    "confidence": best["confidence"],
                    INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                    "utter_action": f"utter_{best[INTENT_RESPONSE_KEY]}",
                },
                "ranking": ranking,
            }
            selector = message.get("response_selector", {})
            selector["all_retrieval_intents"] = [intent]
            selector[intent] = prediction
            message.set("response_selector", selector, add_to_output=True)
        return messages

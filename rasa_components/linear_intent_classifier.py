"""Reads a message's intent with a linear model, in place of Rasa's DIETClassifier.

The same TF-IDF features and logistic regression as the FAQ answer selector (`linear_model.py`),
over the training data's intents (every `faq/<topic>` example counts as `faq`). It writes
`intent` and `intent_ranking` where DIET wrote them, so the FallbackClassifier, the rules and the
actions read them unchanged. It trains in about a minute (10 s with one `faq` class) where DIET's
TensorFlow model took two to three minutes of every cold train (docs/evaluation.md, "Seventh
round"; docs/benchmarks.md).

With `split_retrieval_intents`, each `faq/<topic>` is its own class and `faq`'s confidence is
the sum of its topics': 66 tight groups of questions are easier for a linear model to tell
from a symptom or a booking than one wide `faq` class (docs/evaluation.md, "Twelfth round").
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.pipeline import Pipeline

from rasa_components.linear_model import (
    code_fingerprint,
    linear_classifier,
    load_saved,
    save,
    word_features,
)

MODEL_FILE = "linear_intent_classifier.joblib"
# A message with words but none the training data has ("lorem ipsum dolor") is read from a few
# shared letters only: its confidences are halved, so it reads as unclear (fallback), as DIET
# read such messages.
UNKNOWN_WORDS_FACTOR = 0.5


def class_weights(labels: list[str], balance: float) -> dict[str, float]:
    """Weights that even out how many examples each intent has, to the power `balance`: 0
    leaves the counts as they are (the FAQ questions, most of the examples, pull doubtful
    messages to `faq`), 1 is scikit-learn's "balanced" (every intent counts the same)."""
    counts = Counter(labels)
    mean = len(labels) / len(counts)
    return {label: (mean / count) ** balance for label, count in counts.items()}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # strength: the inverse regularisation C; balance: how far the intents are evened out
        # (class_weights). config.yml sets both (docs/evaluation.md, "Seventh round").
        return {
            "strength": 10.0,
            "balance": 1.0,
            "ranking_length": 10,
            "split_retrieval_intents": False,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return code_fingerprint(__file__)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Pipeline | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        split = bool(self.config["split_retrieval_intents"])
        labels = [(split and m.get(INTENT_RESPONSE_KEY)) or m.get(INTENT) for m in examples]
        weights = class_weights(labels, float(self.config["balance"]))
        self.classifier = linear_classifier(float(self.config["strength"]), weights)
        self.classifier.fit([m.get(TEXT) for m in examples], labels)
        save(self._model_storage, self._resource, MODEL_FILE, {"classifier": self.classifier})
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        saved = load_saved(model_storage, resource, MODEL_FILE)
        if saved is None:
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, saved["classifier"])

    def process(self, messages: list[Message]) -> list[Message]:
        if self.classifier is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        # `faq/hours` -> `faq`: a retrieval intent's topics count together.
        intents, columns = np.unique(
            [str(c).split("/", 1)[0] for c in self.classifier.classes_], return_inverse=True
        )
        intent_of_class = np.eye(len(intents))[columns]
        probabilities = self.classifier.predict_proba(texts) @ intent_of_class
        for message, text, row in zip(messages, texts, probabilities, strict=True):
            if not self._knows_a_word(text):
                row = row * UNKNOWN_WORDS_FACTOR
            order = row.argsort()[::-1][: int(self.config["ranking_length"])]
            ranking = [{"name": str(intents[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _knows_a_word(self, text: str) -> bool:
        """Whether the text has no words, or one the training data had (the word features)."""
        assert self.classifier is not None
        words = word_features(self.classifier)
        tokens = [t for t in words.build_analyzer()(text) if " " not in t]
        return not tokens or any(t in words.vocabulary_ for t in tokens)

"""Trains the intent classifier on a fixed share of each FAQ topic's questions.

DIET only has to say that a question is `faq`; which approved answer it gets is the FAQ answer
selector's work (faq_answer_selector.py), which sits before this component in the pipeline and
learns from every question. Most of the training data are FAQ questions (2,170 of 3,552 on
2026-12-07), and DIET's time grows with its examples, so it sees at most `per_topic` of each
topic (docs/evaluation.md, "Fifth round"). The choice is by a hash of the text: the same
questions every run, whatever order the files are read in.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def _order(message: Message) -> str:
    return hashlib.sha256(message.get(TEXT).encode()).hexdigest()


# A featurizer to Rasa's recipe only so that its output is the training data of the components
# after it; it changes no message's features.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class FaqExampleCap(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # retrieval_intent: the intent whose examples carry a topic (`faq/<topic>`).
        return {"retrieval_intent": "faq", "per_topic": 10}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqExampleCap:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        intent, cap = self.config["retrieval_intent"], int(self.config["per_topic"])
        by_topic: dict[str, list[Message]] = defaultdict(list)
        for message in training_data.training_examples:
            topic = message.get(INTENT_RESPONSE_KEY)
            if message.get(INTENT) == intent and message.get(TEXT) and topic:
                by_topic[topic].append(message)
        dropped = {id(m) for kept in by_topic.values() for m in sorted(kept, key=_order)[cap:]}
        if not dropped:
            return training_data
        return TrainingData(
            training_examples=[m for m in training_data.training_examples if id(m) not in dropped],
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )

    def process(self, messages: list[Message]) -> list[Message]:
        # Answering a message is unchanged: only training sees fewer FAQ questions.
        return messages

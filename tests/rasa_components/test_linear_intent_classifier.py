"""The linear intent classifier, trained, saved, loaded and asked, as `rasa train` and the Rasa
server use it. Runs in the Rasa environment (make test runs it with the action tests)."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.linear_intent_classifier import LinearIntentClassifier, class_weights

EXAMPLES = {
    "book_appointment": ["book me in for tuesday", "can i get an appointment", "need a recheck"],
    "billing_question": ["how much do i owe", "whats my balance", "did insurance pay the bill"],
    "stop": ["never mind", "forget it", "cancel that request"],
}
FAQ = {
    "faq/hours": ["what time do you open", "are you open saturday", "when do you close today"],
    "faq/parking": ["where do i park", "is there parking", "is parking free at the clinic"],
}


def training_data() -> TrainingData:
    examples = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    examples += [
        Message(data={"text": text, "intent": "faq", "intent_response_key": topic})
        for topic, texts in FAQ.items()
        for text in texts
    ]
    return TrainingData(training_examples=examples)


def trained_then_loaded(
    tmp_path: Path, config: dict[str, object] | None = None
) -> LinearIntentClassifier:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = config or {}
    LinearIntentClassifier.create(config, storage, resource, context).train(training_data())
    return LinearIntentClassifier.load(config, storage, resource, context)


def test_it_writes_the_intent_and_its_ranking_where_the_dialogue_reads_them(
    tmp_path: Path,
) -> None:
    classifier = trained_then_loaded(tmp_path)
    message = Message(data={"text": "how much do i owe on the bill"})
    classifier.process([message])

    intent = message.get("intent")
    ranking = message.get("intent_ranking")
    assert intent["name"] == "billing_question"
    assert ranking[0] == intent
    # Every FAQ topic is one intent, `faq`, as DIET read them.
    assert sorted(r["name"] for r in ranking) == sorted([*EXAMPLES, "faq"])
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1.0) < 1e-6
    output = message.as_dict(only_output_properties=True)
    assert "intent" in output and "intent_ranking" in output


@pytest.mark.parametrize(
    ("text", "intent"),
    [("wher do i park", "faq"), ("nevermind", "stop"), ("need a rechek", "book_appointment")],
)
def test_typos_and_unseen_wording_still_read(tmp_path: Path, text: str, intent: str) -> None:
    classifier = trained_then_loaded(tmp_path)
    message = Message(data={"text": text})
    classifier.process([message])
    assert message.get("intent")["name"] == intent


def test_class_weights_even_out_the_intents_as_far_as_asked() -> None:
    labels = ["faq"] * 8 + ["stop"] * 2
    assert class_weights(labels, 0) == {"faq": 1.0, "stop": 1.0}
    assert class_weights(labels, 1) == {"faq": 5 / 8, "stop": 5 / 2}
    half = class_weights(labels, 0.5)
    assert half["stop"] / half["faq"] == pytest.approx(2.0)


def test_a_model_without_the_classifier_trained_reads_nothing(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.load({}, storage, Resource("never_trained"), context)
    message = Message(data={"text": "where do i park"})
    classifier.process([message])
    assert message.get("intent") is None


def test_words_it_never_saw_read_as_unclear(tmp_path: Path) -> None:
    """Only a few shared letters link "lorem ipsum dolor" to an intent: at most half sure."""
    classifier = trained_then_loaded(tmp_path)
    unknown, known = Message(data={"text": "lorem ipsum dolor"}), Message(data={"text": "park"})
    classifier.process([unknown, known])
    assert unknown.get("intent")["confidence"] <= 0.5
    assert sum(r["confidence"] for r in unknown.get("intent_ranking")) <= 0.5 + 1e-6
    assert sum(r["confidence"] for r in known.get("intent_ranking")) > 0.99


def test_split_faq_topics_are_learned_apart_and_read_as_one_intent(tmp_path: Path) -> None:
    """`split_retrieval_intents`: each FAQ topic is its own class while learning; the dialogue
    still reads one `faq` intent, as sure as its topics together."""
    split = trained_then_loaded(tmp_path, {"split_retrieval_intents": True})
    classes = {str(c) for c in split.classifier.classes_}
    assert classes == {*EXAMPLES, *FAQ}
    message = Message(data={"text": "is there parking at the clinic"})
    split.process([message])

    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == "faq"
    assert sorted(r["name"] for r in ranking) == sorted([*EXAMPLES, "faq"])
    by_class = split.classifier.predict_proba(["is there parking at the clinic"])[0]
    faq_columns = [i for i, c in enumerate(split.classifier.classes_) if str(c).startswith("faq/")]
    assert ranking[0]["confidence"] == pytest.approx(sum(by_class[i] for i in faq_columns))
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)

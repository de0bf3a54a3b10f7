"""The FAQ answer selector, trained, saved, loaded and asked, as `rasa train` and the Rasa
server use it. Runs in the Rasa environment (make test runs it with the action tests)."""

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.faq_answer_selector import FaqAnswerSelector

QUESTIONS = {
    "faq/hours": ["what time do you open", "are you open saturday", "when do you close today"],
    "faq/parking": ["where do i park", "is there parking", "is parking free at the clinic"],
    "faq/fasting": ["can he eat before surgery", "must she fast", "no food the night before"],
}


def training_data() -> TrainingData:
    examples = [
        Message(data={"text": text, "intent": "faq", "intent_response_key": topic})
        for topic, texts in QUESTIONS.items()
        for text in texts
    ]
    examples.append(Message(data={"text": "book me in for tuesday", "intent": "book_appointment"}))
    responses = {
        f"utter_{topic}": [{"text": f"the approved answer on {topic}"}] for topic in QUESTIONS
    }
    return TrainingData(training_examples=examples, responses=responses)


def trained_then_loaded(tmp_path: Path) -> FaqAnswerSelector:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_answer_selector")
    context = ExecutionContext(GraphSchema({}), "test")
    FaqAnswerSelector.create({}, storage, resource, context).train(training_data())
    return FaqAnswerSelector.load({}, storage, resource, context)


def test_it_ranks_the_approved_answers_where_the_dialogue_reads_them(tmp_path: Path) -> None:
    selector = trained_then_loaded(tmp_path)
    message = Message(data={"text": "wher do i park my car"})
    selector.process([message])

    found = message.get("response_selector")
    assert found["all_retrieval_intents"] == ["faq"]
    best = found["faq"]["response"]
    assert best["intent_response_key"] == "faq/parking"
    assert best["utter_action"] == "utter_faq/parking"
    assert best["responses"] == [{"text": "the approved answer on faq/parking"}]
    ranking = found["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking][0] == "faq/parking"
    assert sorted(r["intent_response_key"] for r in ranking) == sorted(QUESTIONS)
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1.0) < 1e-6
    assert best["confidence"] == confidences[0]
    # Its output reaches the tracker, as the ResponseSelector's does.
    assert "response_selector" in message.as_dict(only_output_properties=True)


def test_examples_of_other_intents_are_not_answers(tmp_path: Path) -> None:
    selector = trained_then_loaded(tmp_path)
    message = Message(data={"text": "book me in for tuesday"})
    selector.process([message])
    ranked = {r["intent_response_key"] for r in message.get("response_selector")["faq"]["ranking"]}
    assert ranked == set(QUESTIONS)


def test_a_model_without_the_selector_trained_answers_nothing(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    selector = FaqAnswerSelector.load({}, storage, Resource("never_trained"), context)
    message = Message(data={"text": "where do i park"})
    selector.process([message])
    assert message.get("response_selector") is None

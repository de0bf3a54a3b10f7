"""`action_open_escalation`, in the style of RasaHQ/financial-demo: a tracker built from a
dict, a CollectingDispatcher, and assertions on the events and the response sent."""

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import AssistantApi, set_api
from actions.escalation import ActionOpenEscalation


def tracker_for(sender_id: str, intent: str, text: str) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {},
            "latest_message": {"intent": {"name": intent, "confidence": 0.93}, "text": text},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(tracker: Tracker) -> tuple[list, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = ActionOpenEscalation().run(dispatcher, tracker, domain={})
    return events, dispatcher.messages


@pytest.mark.parametrize(
    ("intent", "category", "response"),
    [
        ("report_symptom", "symptom", "utter_nurse_will_answer"),
        ("clinical_question", "clinical_question", "utter_nurse_will_answer"),
        ("talk_to_person", "handoff", "utter_handoff"),
        ("grief", "grief", "utter_grief_support"),
        ("greet", "clinical_question", "utter_nurse_will_answer"),  # unexpected: escalate
    ],
)
def test_opens_a_routine_case_and_says_what_happens_next(api, intent, category, response) -> None:
    text = "Max has not eaten since yesterday"
    conversation_id = api.add_conversation(text)

    events, messages = run(tracker_for(conversation_id, intent, text))

    assert events == []
    assert [m["response"] for m in messages] == [response]
    assert api.escalations(conversation_id) == [("routine", category, text)]


def test_api_down_still_answers_so_the_api_can_open_the_case_itself() -> None:
    set_api(AssistantApi("http://127.0.0.1:9", "unused", timeout=1))

    events, messages = run(tracker_for("no-such-conversation", "report_symptom", "fever"))

    assert events == []
    assert [m["response"] for m in messages] == ["utter_nurse_will_answer"]

"""Hand a message to the nurse queue and tell the person what happens next."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiError, get_api

logger = logging.getLogger(__name__)

# intent -> (queue category, response that tells the person what happens next)
CASES = {
    "report_symptom": ("symptom", "utter_nurse_will_answer"),
    "clinical_question": ("clinical_question", "utter_nurse_will_answer"),
    "talk_to_person": ("handoff", "utter_handoff"),
    "grief": ("grief", "utter_grief_support"),
}
# Anything else that reaches this action is treated as clinical: when unsure, escalate.
DEFAULT_CASE = ("clinical_question", "utter_nurse_will_answer")


class ActionOpenEscalation(Action):
    def name(self) -> str:
        return "action_open_escalation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        category, response = CASES.get(intent, DEFAULT_CASE)
        try:
            get_api().open_escalation(tracker.sender_id, priority="routine", category=category)
        except ApiError:
            # The reply still goes out: the api opens the case itself for any reply that
            # promises a person, so the client is never told something that is not true.
            logger.exception("could not open an escalation for %s", tracker.sender_id)
        dispatcher.utter_message(response=response)
        return []

"""Answer a routine question with the best-ranked approved answer that this practice's kind
has: a surgical practice never gets a pet answer because the ranking put it first."""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Records for an insurer are a billing task (issue 8), not the general "how to get records" answer.
RECORDS_ANSWER = "utter_faq/records_request"
INSURER = re.compile(
    r"\b(?:insur\w*|claims?|trupanion|nationwide|embrace|healthy paws|pets best|payer)\b",
    re.IGNORECASE,
)


def practice_kind(tracker: Tracker) -> str | None:
    """`veterinary` or `human`, from the metadata the api sends with each message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            kind = metadata.get("kind")
            return kind if isinstance(kind, str) else None
    return None


def ranked_answers(tracker: Tracker, domain: DomainDict) -> list[str]:
    """The FAQ responses (`utter_faq/<topic>`) in the ResponseSelector's order, keeping only
    those whose template serves this practice's kind (the `kinds` in domain/faq.yml)."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    kind = practice_kind(tracker)
    responses: dict[str, Any] = domain.get("responses") or {}
    answers = []
    for entry in selector.get("ranking") or []:
        key = entry.get("intent_response_key")
        name = f"utter_{key}"
        if not key or name not in responses:
            continue
        kinds = ((responses[name] or [{}])[0].get("custom") or {}).get("kinds") or []
        if kind is None or kind in kinds:
            answers.append(name)
    return answers


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = ranked_answers(tracker, domain)
        text = tracker.latest_message.get("text") or ""
        if answers and answers[0] == RECORDS_ANSWER and INSURER.search(text):
            dispatcher.utter_message(response="utter_billing_records_requested")
        elif answers:
            dispatcher.utter_message(response=answers[0])
        else:
            # A routine question with no approved answer at this practice: a nurse answers
            # (the api opens the case for this reply).
            dispatcher.utter_message(response="utter_nurse_will_answer")
        return []

"""Answer a routine question with the best-ranked approved answer that this practice's kind
has: a surgical practice never gets a pet answer because the ranking put it first.

A wrong approved answer is as bad as an unapproved one, so the answer goes out only when the
FAQ answer selector (rasa_components/faq_answer_selector.py) is sure of it; otherwise the
client is asked "Did you mean: <title>?" and YES sends it (actions/fallback.py). The threshold
was chosen on the development set (docs/evaluation.md, "FAQ answers only when sure", and
checked again for the selector in "FAQ answers from a linear model")."""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Below this confidence in the best answer, ask before answering. On the development set's 178
# FAQ questions, an answer this sure was wrong for 1 of 116 (docs/evaluation.md, "FAQ answers
# from a linear model"); with no threshold, for 13.
MIN_ANSWER_CONFIDENCE = 0.6
# A message the intent classifier found unclear (`nlu_fallback`) is still answered when the FAQ
# answer selector is at least this sure of one answer. On the development files' 1,458 lines,
# the 6 unclear messages this sure were all FAQ questions with that answer; at 0.7 a bill and
# an opt-out came in (docs/evaluation.md, "Twelfth round").
MIN_CONFIDENCE_WHEN_UNCLEAR = 0.8

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


def ranked_answers_with_confidence(tracker: Tracker, domain: DomainDict) -> list[tuple[str, float]]:
    """The FAQ responses (`utter_faq/<topic>`) in the FAQ answer selector's order, each with its
    confidence, keeping only those whose template serves this practice's kind (the `kinds` in
    domain/faq.yml)."""
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
            answers.append((name, float(entry.get("confidence") or 0.0)))
    return answers


def answer_response(best: str, text: str) -> str:
    """The response that answers with `best`: records for an insurer are a billing task."""
    if best == RECORDS_ANSWER and INSURER.search(text):
        return "utter_billing_records_requested"
    return best


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = ranked_answers_with_confidence(tracker, domain)
        text = tracker.latest_message.get("text") or ""
        best, confidence = answers[0] if answers else (None, 0.0)
        response = answer_response(best, text) if best is not None else None
        if response is not None and (confidence >= MIN_ANSWER_CONFIDENCE or response != best):
            # A sure answer, or records for an insurer: a billing task, however sure.
            dispatcher.utter_message(response=response)
        elif best is not None:
            # `utter_faq/hours` -> `faq.hours`, the topic "Did you mean" names and YES sends.
            topic = "faq." + best.split("/", 1)[1]
            dispatcher.utter_message(response="utter_faq_did_you_mean", topic=topic)
        else:
            # A routine question with no approved answer at this practice: a nurse answers
            # (the api opens the case for this reply).
            dispatcher.utter_message(response="utter_nurse_will_answer")
        return []

"""Two-stage fallback for messages the NLU is not sure about.

Stage one asks "Did you mean <topic>?" when the best guess is an FAQ answer (YES sends it,
NO asks to rephrase), or asks to rephrase. When the next message is unclear too, stage two
hands the conversation to a person (the reply carries `case: routine`, so the api opens the
case). When either of the two best guesses is a clinical intent, a nurse answers at once, at
either stage: when unsure between a clinical and a non-clinical route, choose the clinical one.
Otherwise, when the FAQ answer selector is very sure of one answer
(`MIN_CONFIDENCE_WHEN_UNCLEAR`), that answer is sent: the intents were unsure, the question was
not.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import (
    MIN_CONFIDENCE_WHEN_UNCLEAR,
    answer_response,
    ranked_answers_with_confidence,
)

CLINICAL_INTENTS = ("report_symptom", "clinical_question")
# Replies that mean "we did not understand": a second unclear message after one gives up.
CLARIFYING_TEMPLATES = ("fallback.did_you_mean", "fallback.rephrase")
DID_YOU_MEAN = "fallback.did_you_mean"
UNKNOWN_NUMBER = "booking.unknown_number"


def last_bot_payload(tracker: Tracker) -> dict[str, Any]:
    """The custom payload of the bot's last reply before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return {}
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            custom = (event.get("data") or {}).get("custom")
            return custom if isinstance(custom, dict) else {}
    return {}


def guesses(tracker: Tracker) -> list[str]:
    """The intents in the classifier's order, the fallback aside."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [i["name"] for i in ranking if i.get("name") not in (None, "nlu_fallback")]


def may_be_clinical(tracker: Tracker) -> bool:
    """Whether one of the two likeliest intents is clinical: "grief" at 0.30 and "clinical
    question" at 0.28 is a message a nurse should read."""
    return any(guess in CLINICAL_INTENTS for guess in guesses(tracker)[:2])


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # A clinical guess goes to a nurse first, also on a second unclear message: the
        # routine hand-off would leave it for the next business day.
        if may_be_clinical(tracker):
            dispatcher.utter_message(response="utter_nurse_will_answer")
            return []
        if last_bot_payload(tracker).get("template") in CLARIFYING_TEMPLATES:
            dispatcher.utter_message(response="utter_fallback_handoff")
            return []
        # The FAQ answers this practice's kind has, best first (`utter_faq/hours`, 0.83).
        answers = ranked_answers_with_confidence(tracker, domain)
        if answers and answers[0][1] >= MIN_CONFIDENCE_WHEN_UNCLEAR:
            text = tracker.latest_message.get("text") or ""
            dispatcher.utter_message(response=answer_response(answers[0][0], text))
        elif answers and guesses(tracker)[:1] == ["faq"]:
            # `utter_faq/hours` -> `faq.hours`, the topic "Did you mean" names and YES sends.
            topic = "faq." + answers[0][0].split("/", 1)[1]
            dispatcher.utter_message(response="utter_did_you_mean", topic=topic)
        else:
            dispatcher.utter_message(response="utter_please_rephrase")
        return []


class ActionCoreFallback(ActionFallback):
    """Rasa's core fallback (the words were understood but no next action is confident): the
    same two stages, so a second unclear message in a row reaches a person. Like Rasa's own
    fallback it takes the message back out of the dialogue; otherwise the policies would
    predict this action again and again until Rasa's circuit breaker stops the turn."""

    def name(self) -> str:
        return "action_core_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        super().run(dispatcher, tracker, domain)
        return [UserUtteranceReverted()]


class ActionAnswerSuggestion(Action):
    """A YES or NO: the answer to "Did you mean ...?" or to the offer to add an unknown number
    when that was just asked, else a nod."""

    def name(self) -> str:
        return "action_answer_suggestion"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        payload = last_bot_payload(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if payload.get("template") == UNKNOWN_NUMBER and intent == "affirm":
            # "Reply YES and our front desk will text you back" (actions/booking.py).
            dispatcher.utter_message(response="utter_booking_registration_requested")
        elif payload.get("template") != DID_YOU_MEAN:
            dispatcher.utter_message(response="utter_acknowledge")
        elif intent == "affirm" and str(payload.get("topic", "")).startswith("faq."):
            # `faq.hours` is answered by the generated retrieval response `utter_faq/hours`.
            dispatcher.utter_message(response="utter_" + payload["topic"].replace(".", "/", 1))
        else:
            dispatcher.utter_message(response="utter_please_rephrase")
        return []

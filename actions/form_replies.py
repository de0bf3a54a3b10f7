"""A reply to a form's question that the model read as something else ("Consultation" as an
FAQ question, "3.11.68" as a symptom): is it the answer, or a message with a path of its own?

Every slot a form asks for takes the client's whole reply, whatever its intent
(domain/booking.yml, domain/billing.yml). Before validating it, the form's validation action
asks `steps_aside`: a reply read as an intent with its own path in the middle of a form
(data/rules/booking.yml, billing.yml) that does not answer the question is handed to that
path, and the form asks again afterwards. The api says what answers (a read: nothing is booked,
verified or counted as a wrong answer); a reply about the patient's health never does.
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet

from actions.api_client import get_api

# Intents with a path of their own in the middle of a form.
INTERRUPTING_INTENTS = frozenset(
    {
        "stop",
        "faq",
        "clinical_question",
        "report_symptom",
        "grief",
        "talk_to_person",
        "billing_question",
    }
)
# Read as news about the patient ("chemo made her tired"): only a reply of a few words can be
# the answer instead ("the chemo treatment", "3.11.68"); a longer one reaches a nurse.
HEALTH_INTENTS = frozenset({"report_symptom", "clinical_question"})
HEALTH_INTENT_MAX_WORDS = 3
# The question each slot asks, as the api's answer check names it.
QUESTIONS = {
    "booking_identity": "identity",
    "billing_identity": "identity",
    "booking_patient": "patient",
    "booking_type": "visit_type",
    "booking_visit": "visit",
    "booking_time": "time",
}


def steps_aside(
    tracker: Tracker,
    *,
    interrupting: Iterable[str] = INTERRUPTING_INTENTS,
    answers_here: dict[str, Callable[[Tracker, Any], bool]] | None = None,
) -> bool:
    """Whether the reply to the requested slot is not an answer and was read as one of the
    `interrupting` intents. `answers_here` decides, for a slot, without asking the api."""
    asked = tracker.get_slot("requested_slot")
    reply = tracker.slots_to_validate().get(asked) if asked else None
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not reply or intent not in set(interrupting):
        return False
    if intent in HEALTH_INTENTS and len(re.findall(r"\w+", str(reply))) > HEALTH_INTENT_MAX_WORDS:
        return True
    if answers_here and asked in answers_here:
        return not answers_here[asked](tracker, reply)
    offers = (tracker.get_slot("booking_offers") or []) if asked == "booking_time" else []
    return not get_api().answers(
        tracker.sender_id,
        question=QUESTIONS[asked],
        text=str(reply),
        offer_times=[offer["starts_at"] for offer in offers],
    )


def stepping_aside(tracker: Tracker, form: str) -> list[EventType]:
    """The validation's events that hand the turn to the message's own path: the reply is not
    kept, and the form's run is rejected, so the rules pick what comes next."""
    return [SlotSet(tracker.get_slot("requested_slot"), None), ActionExecutionRejected(form)]

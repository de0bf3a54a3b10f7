"""The identity question both forms ask (booking and billing): one answer checked by the api,
and the same "that does not match" reply after a wrong one."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import get_api

# The forms' shared "why ask again" slot (domain/booking.yml).
NOTE_SLOT = "booking_note"
FAILED = "identity_failed"


def check_answer(tracker: Tracker, value: Any) -> str | None:
    """verified | locked | None (wrong, noted so the next ask says so). An empty value is a
    slot reset, not an answer, and is never counted as a wrong one."""
    if not value:
        return None
    status = get_api().check_identity(tracker.sender_id, str(value))
    return status if status in ("verified", "locked") else FAILED


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[EventType]:
    """Ask `question` (a domain response), or say the last answer did not match."""
    if tracker.get_slot(NOTE_SLOT) == FAILED:
        dispatcher.utter_message(response="utter_booking_identity_failed")
        return [SlotSet(NOTE_SLOT, None)]
    dispatcher.utter_message(response=question)
    return []

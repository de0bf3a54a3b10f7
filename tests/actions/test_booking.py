"""Booking actions, in the style of RasaHQ/financial-demo: a tracker from a dict, a
CollectingDispatcher, and assertions on the events and the responses sent."""

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import (
    ActionBookingFinish,
    ActionBookingStart,
    ValidateBookingForm,
    listing,
    numbered,
    unmark,
)
from tests.actions.conftest import RunningApi


def tracker_for(
    sender_id: str, intent: str, text: str, slots: dict[str, Any] | None = None
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": {"intent": {"name": intent, "confidence": 0.9}, "text": text},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "booking_form"},
            "latest_action_name": "action_listen",
        }
    )


def test_listing_and_numbering_read_naturally() -> None:
    assert listing(["Biscuit"]) == "Biscuit"
    assert listing(["Biscuit", "Pepper"]) == "Biscuit or Pepper"
    assert listing(["A", "B", "C"]) == "A, B or C"
    assert numbered(["Tue", "Wed"]) == "1) Tue, 2) Wed"


def test_a_bare_number_is_never_taken_for_a_resolved_id() -> None:
    assert unmark("patient", "patient:12") == "12"
    assert unmark("patient", "2") is None
    assert unmark("patient", None) is None


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("affirm", "yes", "yes"),
        ("inform", "yes please cancel it", "yes"),
        ("deny", "no", "no"),
        ("inform", "no keep it", "no"),
        ("inform", "purple", None),
    ],
)
def test_cancel_needs_a_clear_yes(intent: str, text: str, expected: str | None) -> None:
    tracker = tracker_for("any", intent, text)

    slots = ValidateBookingForm().validate_booking_cancel_ok(
        text, CollectingDispatcher(), tracker, {}
    )

    assert slots == {"booking_cancel_ok": expected}


def test_an_unknown_number_is_asked_nothing_and_told_why(api: RunningApi) -> None:
    conversation_id = api.add_conversation("i need to book a recheck")  # web chat: unknown
    tracker = tracker_for(conversation_id, "book_appointment", "i need to book a recheck")
    dispatcher = CollectingDispatcher()

    started = ActionBookingStart().run(dispatcher, tracker, {})
    needed = asyncio.run(ValidateBookingForm().required_slots([], dispatcher, tracker, {}))
    ActionBookingFinish().run(dispatcher, tracker, {})

    assert SlotSet("booking_mode", "book") in started
    assert needed == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_unknown_number"]


def test_a_reset_identity_slot_is_not_a_wrong_answer() -> None:
    tracker = tracker_for("no-api-needed", "billing_question", "whats my balance")

    slots = ValidateBookingForm().validate_booking_identity(
        None, CollectingDispatcher(), tracker, {}
    )

    assert slots == {"booking_identity": None}

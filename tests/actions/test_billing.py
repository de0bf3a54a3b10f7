"""Billing actions: who must be verified, and which reply closes each kind of question."""

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.billing import ActionBillingFinish, ValidateBillingForm
from tests.actions.conftest import RunningApi


def tracker_for(sender_id: str, need: str) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {"billing_need": need},
            "latest_message": {"intent": {"name": "billing_question"}, "text": "x"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "billing_form"},
            "latest_action_name": "action_listen",
        }
    )


@pytest.mark.parametrize(
    ("need", "response"),
    [
        ("records", "utter_billing_records_requested"),
        ("other", "utter_billing_handoff"),
        ("balance", "utter_billing_unknown_number"),  # web chat: not a number on file
        ("insurance", "utter_billing_unknown_number"),
    ],
)
def test_each_need_closes_with_its_reply(api: RunningApi, need: str, response: str) -> None:
    conversation_id = api.add_conversation("a billing question")
    tracker = tracker_for(conversation_id, need)
    dispatcher = CollectingDispatcher()

    needed = asyncio.run(ValidateBillingForm().required_slots([], dispatcher, tracker, {}))
    events: list[Any] = ActionBillingFinish().run(dispatcher, tracker, {})

    assert needed == []
    assert [m["response"] for m in dispatcher.messages] == [response]
    assert {"event": "slot", "name": "billing_need", "value": None} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]

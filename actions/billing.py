"""Billing by text: what the question needs, who is asking, and the answer from the records.

The api reads what a billing message asks for and answers only a verified contact; a records
request, a dispute or anything not in the records becomes a task in the billing queue.
"""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import form_replies, identity
from actions.api_client import get_api

# Needs answered from the records, once the contact is verified.
FROM_RECORDS = ("balance", "itemized", "insurance")


class ActionBillingStart(Action):
    def name(self) -> str:
        return "action_billing_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        need = get_api().billing_need(tracker.sender_id, tracker.latest_message.get("text") or "")
        return [SlotSet("billing_need", need)]


class ValidateBillingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_billing_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Who is asking matters only for an answer from the records."""
        if tracker.get_slot("billing_need") not in FROM_RECORDS:
            return []
        identity = get_api().booking_context(tracker.sender_id)["identity"]
        return ["billing_identity"] if identity == "unverified" else []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # "book a recheck" while asked who is writing is a request of its own, too.
        interrupting = form_replies.INTERRUPTING_INTENTS | {"book_appointment"}
        if form_replies.steps_aside(tracker, interrupting=interrupting):
            return form_replies.stepping_aside(tracker, self.form_name())
        return await super().run(dispatcher, tracker, domain)

    def validate_billing_identity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        status = identity.check_answer(tracker, value)
        if status is None:
            return {"billing_identity": None}
        if status in ("verified", "locked"):
            return {"billing_identity": status}
        return {"billing_identity": None, identity.NOTE_SLOT: status}


class ActionAskBillingIdentity(Action):
    def name(self) -> str:
        return "action_ask_billing_identity"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return identity.ask(dispatcher, tracker, "utter_billing_ask_identity")


class ActionBillingFinish(Action):
    def name(self) -> str:
        return "action_billing_finish"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        api = get_api()
        need = tracker.get_slot("billing_need") or "other"
        events: list[EventType] = [SlotSet("billing_need", None), SlotSet("billing_identity", None)]
        if need == "records":
            dispatcher.utter_message(response="utter_billing_records_requested")
            return events
        if need not in FROM_RECORDS:
            dispatcher.utter_message(response="utter_billing_handoff")
            return events
        identity = api.booking_context(tracker.sender_id)["identity"]
        if identity == "unknown":
            dispatcher.utter_message(response="utter_billing_unknown_number")
            return events
        if identity != "verified":
            dispatcher.utter_message(response="utter_billing_identity_locked")
            return events
        answer = api.billing_answer(tracker.sender_id, need)
        if not answer.get("found"):
            dispatcher.utter_message(response="utter_billing_nothing_on_file")
        elif need == "balance":
            dispatcher.utter_message(
                response="utter_billing_balance",
                patient_name=answer["patient_name"],
                balance=answer["balance"],
                last_payment=answer["last_payment"],
            )
        elif need == "itemized":
            dispatcher.utter_message(
                response="utter_billing_itemized",
                patient_name=answer["patient_name"],
                invoice_number=answer["invoice_number"],
                invoice_lines=answer["invoice_lines"],
                total=answer["total"],
                paid=answer["paid"],
                balance=answer["balance"],
            )
        else:
            dispatcher.utter_message(
                response="utter_billing_insurance_status",
                patient_name=answer["patient_name"],
                claims=answer["claims"],
            )
        return events

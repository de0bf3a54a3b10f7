"""Booking by text: start, the form's questions and their validation, and the closing reply.

Every fact comes from the api (actions/api_client.py), which shares visit details only with a
verified contact; every reply is a domain response naming a template. Slots that the api has
resolved hold a marked value ("patient:12", "type:chemo_treatment", "visit:40", "booked:41"),
so a client's bare "2" is never mistaken for an id.
"""

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import form_replies, identity
from actions.api_client import get_api

MODES = {
    "book_appointment": "book",
    "reschedule_appointment": "reschedule",
    "cancel_appointment": "cancel",
    "confirm_appointment": "confirm",
    "ask_next_appointment": "next",
}
BOOKING_SLOTS = (
    "booking_mode",
    "booking_request",
    "booking_when",
    "booking_offers",
    "booking_note",
    "booking_result",
    "booking_identity",
    "booking_patient",
    "booking_type",
    "booking_visit",
    "booking_time",
    "booking_cancel_ok",
)
# The answer to "what does this time reply mean?" when it did not book (see the ask action).
NOTE_RESPONSES = {
    "taken": "utter_booking_slot_just_taken",
    "spacing": "utter_booking_protocol_spacing",
    "no_times": "utter_booking_no_free_times",
    "past": "utter_booking_past_date",
    "not_understood": "utter_booking_time_not_understood",
}
YES_WORDS = {"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "cancel", "please"}
NO_WORDS = {"no", "n", "nope", "keep", "dont", "don't", "not"}


def yes_or_no(tracker: Tracker, reply: Any) -> str | None:
    """The answer to "shall I cancel it?": "yes", "no", or None when the reply says neither."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    said = set(str(reply).lower().replace("!", " ").replace(".", " ").split())
    if intent == "deny" or said & NO_WORDS:
        return "no"
    if intent == "affirm" or said & YES_WORDS:
        return "yes"
    return None


def reset_booking() -> list[EventType]:
    return [SlotSet(name, None) for name in BOOKING_SLOTS]


def marked(kind: str, value: object) -> str:
    return f"{kind}:{value}"


def unmark(kind: str, value: object) -> str | None:
    """The id in a marked slot value, or None when the slot holds anything else."""
    prefix = kind + ":"
    if isinstance(value, str) and value.startswith(prefix):
        return value[len(prefix) :]
    return None


def date_hints(tracker: Tracker) -> list[str]:
    """spaCy's DATE and TIME entities in the latest message: "next tue", "after 3"."""
    entities = tracker.latest_message.get("entities") or []
    return [str(e["value"]) for e in entities if e.get("entity") in ("DATE", "TIME")]


def listing(names: list[str]) -> str:
    """'Biscuit', 'Biscuit or Pepper', 'Biscuit, Pepper or Juniper'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def numbered(labels: list[str]) -> str:
    return ", ".join(f"{n}) {label}" for n, label in enumerate(labels, start=1))


def chosen_visit(tracker: Tracker, context: dict[str, Any]) -> dict[str, Any] | None:
    """The visit this request is about: the one picked, or the only one coming."""
    visits: list[dict[str, Any]] = context["visits"]
    picked = unmark("visit", tracker.get_slot("booking_visit"))
    if picked is not None:
        return next((v for v in visits if str(v["id"]) == picked), None)
    return visits[0] if len(visits) == 1 else None


def what_to_time(
    tracker: Tracker, context: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """The visit being moved (None when booking a new one) and the visit type to find times for."""
    chosen_type = unmark("type", tracker.get_slot("booking_type"))
    if tracker.get_slot("booking_mode") == "book":
        return None, chosen_type
    visit = chosen_visit(tracker, context)
    return visit, visit["type_code"] if visit else chosen_type


def prefill(conversation_id: str, mode: str, request: str) -> list[EventType]:
    """What the first message already said: "move biscuit's chemo" names a pet and a type."""
    api = get_api()
    events: list[EventType] = []
    if mode == "book":
        patient = api.pick(conversation_id, text=request, what="patient")
        if patient is not None:
            events.append(SlotSet("booking_patient", marked("patient", patient)))
        kind = api.pick(conversation_id, text=request, what="visit_type")
        if kind is not None:
            events.append(SlotSet("booking_type", marked("type", kind)))
    elif mode in ("reschedule", "cancel", "confirm"):
        visit = api.pick(conversation_id, text=request, what="visit")
        if visit is not None:
            events.append(SlotSet("booking_visit", marked("visit", visit)))
    return events


class ActionBookingStart(Action):
    """Forget any earlier booking request, and note what this one asks for."""

    def name(self) -> str:
        return "action_booking_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        mode = MODES.get(str(intent), "book")
        request = tracker.latest_message.get("text") or ""
        events = reset_booking() + [
            SlotSet("booking_mode", mode),
            SlotSet("booking_request", request),
            SlotSet("booking_when", request if mode in ("book", "reschedule") else ""),
        ]
        context = get_api().booking_context(tracker.sender_id)
        if context["identity"] == "verified":
            events += prefill(tracker.sender_id, mode, request)
        return events


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Only what this request still needs; nothing at all for an unknown or locked number
        (the closing action then says why)."""
        context = get_api().booking_context(tracker.sender_id)
        identity = context["identity"]
        if identity == "unverified":
            return ["booking_identity"]
        if identity != "verified":
            return []
        mode = tracker.get_slot("booking_mode") or "book"
        if mode == "book":
            needed = ["booking_patient"] if len(context["patients"]) > 1 else []
            return needed + ["booking_type", "booking_time"]
        if mode == "next" or not context["visits"]:
            return []
        needed = ["booking_visit"] if len(context["visits"]) > 1 else []
        if mode == "reschedule":
            return needed + ["booking_time"]
        if mode == "cancel":
            return needed + ["booking_cancel_ok"]
        return needed

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.steps_aside(tracker):
            return form_replies.stepping_aside(tracker, self.form_name())
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def steps_aside(tracker: Tracker) -> bool:
        """Whether the reply is not an answer and has a path of its own (an FAQ question, a
        symptom, "stop"): the form hands it to that path and asks again afterwards."""
        answers_cancel = {"booking_cancel_ok": lambda t, r: yes_or_no(t, r) is not None}
        return form_replies.steps_aside(tracker, answers_here=answers_cancel)

    def validate_booking_identity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        status = identity.check_answer(tracker, value)
        if status is None:
            return {"booking_identity": None}
        if status == "verified":
            mode = tracker.get_slot("booking_mode") or "book"
            request = tracker.get_slot("booking_request") or ""
            filled = {e["name"]: e["value"] for e in prefill(tracker.sender_id, mode, request)}
            return {"booking_identity": "verified", "booking_note": None, **filled}
        if status == "locked":
            return {"booking_identity": "locked"}
        return {"booking_identity": None, identity.NOTE_SLOT: status}

    def validate_booking_patient(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"booking_patient": self._pick(tracker, "patient", "patient", value)}

    def validate_booking_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"booking_type": self._pick(tracker, "visit_type", "type", value)}

    def validate_booking_visit(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"booking_visit": self._pick(tracker, "visit", "visit", value)}

    def validate_booking_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if unmark("booked", value) is not None:
            return {"booking_time": value}
        visit, type_code = what_to_time(tracker, get_api().booking_context(tracker.sender_id))
        answer = get_api().take_time(
            tracker.sender_id,
            type_code=type_code,
            patient_id=unmark("patient", tracker.get_slot("booking_patient")),
            move_visit_id=visit["id"] if visit else None,
            offers=tracker.get_slot("booking_offers") or [],
            text=str(value),
            when=tracker.get_slot("booking_when") or "",
            hints=date_hints(tracker),
            idempotency_key=f"{tracker.sender_id}:{tracker.latest_message.get('message_id')}",
        )
        if answer["outcome"] == "booked":
            visit_id = answer["visit"]["id"]
            return {"booking_time": marked("booked", visit_id), "booking_result": answer["visit"]}
        slots: dict[str, Any] = {
            "booking_time": None,
            "booking_offers": answer["offers"],
            "booking_note": answer["outcome"],
        }
        if answer["outcome"] != "taken":
            slots["booking_when"] = str(value)  # a new day or time was asked for
        return slots

    def validate_booking_cancel_ok(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"booking_cancel_ok": yes_or_no(tracker, value)}

    @staticmethod
    def _pick(tracker: Tracker, what: str, mark: str, value: Any) -> str | None:
        if unmark(mark, value) is not None:
            return str(value)  # resolved by the api already
        picked = get_api().pick(tracker.sender_id, text=str(value), what=what)
        return marked(mark, picked) if picked is not None else None


class ActionAskBookingIdentity(Action):
    def name(self) -> str:
        return "action_ask_booking_identity"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return identity.ask(dispatcher, tracker, "utter_booking_ask_identity")


class ActionAskBookingPatient(Action):
    def name(self) -> str:
        return "action_ask_booking_patient"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = get_api().booking_context(tracker.sender_id)
        names = listing([name for _, name in context["patients"]])
        dispatcher.utter_message(response="utter_booking_which_patient", patient_names=names)
        return []


class ActionAskBookingType(Action):
    def name(self) -> str:
        return "action_ask_booking_type"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = get_api().booking_context(tracker.sender_id)
        names = ", ".join(name for _, name in context["visit_types"])
        dispatcher.utter_message(response="utter_booking_which_type", visit_types=names)
        return []


class ActionAskBookingVisit(Action):
    def name(self) -> str:
        return "action_ask_booking_visit"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = get_api().booking_context(tracker.sender_id)
        labels = [
            f"{v['visit_type']} for {v['patient_name']}, {v['visit_time']}"
            for v in context["visits"]
        ]
        dispatcher.utter_message(response="utter_booking_which_visit", visits=numbered(labels))
        return []


class ActionAskBookingTime(Action):
    """Offer three times, or say why the last answer did not book and ask again."""

    def name(self) -> str:
        return "action_ask_booking_time"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        api = get_api()
        context = api.booking_context(tracker.sender_id)
        _, type_code = what_to_time(tracker, context)
        type_name = next((n for c, n in context["visit_types"] if c == type_code), "visit")
        note = tracker.get_slot("booking_note")
        offers = tracker.get_slot("booking_offers") or []
        events: list[EventType] = [SlotSet("booking_note", None)]
        if note is None:
            answer = api.offers(
                tracker.sender_id,
                type_code=str(type_code),
                when=tracker.get_slot("booking_when") or "",
                hints=[],  # spaCy's hints belong to the latest message, not to `when`
            )
            note, offers = answer["outcome"], answer["offers"]
            events.append(SlotSet("booking_offers", offers))
        options = numbered([o["label"] for o in offers])
        if note == "offers":
            dispatcher.utter_message(
                response="utter_booking_offer_times", visit_type=type_name, options=options
            )
        elif note == "taken":
            dispatcher.utter_message(response="utter_booking_slot_just_taken", options=options)
        else:
            dispatcher.utter_message(response=NOTE_RESPONSES[note], visit_type=type_name)
        return events


class ActionAskBookingCancelOk(Action):
    def name(self) -> str:
        return "action_ask_booking_cancel_ok"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        visit = chosen_visit(tracker, get_api().booking_context(tracker.sender_id))
        if visit is None:  # required_slots asks which visit first
            dispatcher.utter_message(response="utter_booking_no_visits")
            return []
        dispatcher.utter_message(
            response="utter_booking_cancel_check",
            visit_type=visit["visit_type"],
            patient_name=visit["patient_name"],
            visit_time=visit["visit_time"],
        )
        return []


class ActionBookingFinish(Action):
    """The form is done: say what happened (or why nothing could), then forget the request."""

    def name(self) -> str:
        return "action_booking_finish"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        api = get_api()
        context = api.booking_context(tracker.sender_id)
        mode = tracker.get_slot("booking_mode") or "book"
        result = tracker.get_slot("booking_result")
        visit = chosen_visit(tracker, context)
        if context["identity"] == "unknown":
            dispatcher.utter_message(response="utter_booking_unknown_number")
        elif context["identity"] != "verified":
            dispatcher.utter_message(response="utter_booking_identity_locked")
        elif result and mode in ("book", "reschedule"):
            response = "utter_booking_booked" if mode == "book" else "utter_booking_rescheduled"
            dispatcher.utter_message(
                response=response,
                visit_type=result["visit_type"],
                patient_name=result["patient_name"],
                visit_time=result["visit_time"],
                clinician_name=result["clinician_name"],
            )
        elif mode == "next" and context["visits"]:
            labels = [
                f"{v['visit_type']} for {v['patient_name']}, {v['visit_time']}"
                for v in context["visits"]
            ]
            dispatcher.utter_message(response="utter_booking_next_visits", visits=numbered(labels))
        elif visit is None:
            dispatcher.utter_message(response="utter_booking_no_visits")
        elif mode == "cancel" and tracker.get_slot("booking_cancel_ok") == "yes":
            cancelled = api.cancel_visit(tracker.sender_id, visit["id"])
            dispatcher.utter_message(
                response="utter_booking_cancelled",
                visit_type=cancelled["visit_type"],
                patient_name=cancelled["patient_name"],
                visit_time=cancelled["visit_time"],
            )
        elif mode == "confirm":
            confirmed = api.confirm_visit(tracker.sender_id, visit["id"])
            dispatcher.utter_message(
                response="utter_booking_attendance_confirmed",
                visit_type=confirmed["visit_type"],
                patient_name=confirmed["patient_name"],
                visit_time=confirmed["visit_time"],
            )
        else:
            dispatcher.utter_message(response="utter_booking_kept")
        return reset_booking()


class ActionBookingStop(Action):
    """ "Never mind" in the middle of a booking: stop, change nothing, say so."""

    def name(self) -> str:
        return "action_booking_stop"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_booking_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_booking()]

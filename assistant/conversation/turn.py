"""Handle one inbound message end to end and say what was sent."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation.handoff import asks_for_a_person
from assistant.conversation.routes import ROUTES_BY_SEVERITY, Route, most_severe
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Conversation,
    Escalation,
    Message,
    Patient,
    Practice,
)
from assistant.db.models.escalation import CaseStatus, Priority
from assistant.dialogue.rasa_client import (
    DialogueUnavailable,
    RasaClient,
    without_forced_intent,
)
from assistant.escalation.paging import PAGED_PRIORITIES, page_on_call
from assistant.escalation.queue import most_urgent, open_escalation, open_red_flag_case
from assistant.messaging.consent import (
    ROUTE_FOR,
    TEMPLATE_FOR,
    asks_to_stop_texts,
    keyword_of,
    without_request_to_stop,
)
from assistant.messaging.conversations import conversation_for
from assistant.outreach.replies import (
    REFERRAL_BOOKING_REQUEST,
    RESCHEDULE_REQUEST,
    answers_a_referral,
    reminder_answer,
)
from assistant.practices.details import template_values
from assistant.practices.hours import is_open
from assistant.safety.health_words import may_be_about_health, mentions_health
from assistant.safety.language import other_language
from assistant.safety.triage import Triage, TriageResult
from assistant.scheduling.booking import confirm
from assistant.scheduling.client_requests import visit_time_label
from assistant.scheduling.followup import book_concern_followup
from assistant.templates import Template, TemplateRegistry
from assistant.templates.registry import AFTER_HOURS_SUFFIX, RECORD_PLACEHOLDERS

logger = logging.getLogger(__name__)

# Routes whose promise to the client ("a nurse will answer") needs a case in the queue.
ROUTES_NEEDING_A_CASE: dict[str, str] = {
    Route.EMERGENCY: Priority.EMERGENCY,
    Route.URGENT: Priority.URGENT,
    Route.CLINICAL: Priority.ROUTINE,
    Route.GRIEF: Priority.ROUTINE,
}
# A concern about the patient: besides the case, a nurse follow-up call is booked.
CONCERN_ROUTES = (Route.EMERGENCY, Route.URGENT, Route.CLINICAL)
TECHNICAL_PROBLEM = "fallback.technical_problem"
NURSE_WILL_ANSWER = "clinical.nurse_will_answer"
EMERGENCY = "emergency.go_now"
SELF_HARM = "emergency.self_harm"
PERSON_SWALLOWED_CHEMO = "emergency.person_swallowed_chemo"
# The triage sign for a person (often a child) who swallowed the patient's medicine.
SWALLOWED_MEDICINE_SIGN = "swallowed_medicine"
URGENT = "urgent.nurse_will_call"
REPHRASE = "fallback.rephrase"
HANDOFF = "handoff.person_will_reply"
OTHER_LANGUAGE = "handoff.other_language"
DID_YOU_MEAN = "fallback.did_you_mean"
VISIT_CONFIRMED = "booking.attendance_confirmed"


@dataclass(frozen=True)
class PlannedReply:
    template: Template
    route: str
    case_priority: str | None
    # Placeholders filled by the turn rather than the practice ({topic}).
    extra_values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reply:
    template_id: str
    template_version: int
    text: str


@dataclass(frozen=True)
class EscalationRef:
    id: int
    priority: str
    due_at: datetime


@dataclass(frozen=True)
class TurnResult:
    conversation_id: str
    route: str
    replies: list[Reply]
    escalation: EscalationRef | None

    @property
    def stops_texts(self) -> bool:
        """True when a reply confirmed that the client gets no more texts."""
        return any(r.template_id.endswith(TEMPLATE_FOR["opt_out"]) for r in self.replies)


class TurnHandler:
    """Runs a turn: inbound message stored first, safety triage before the dialogue engine,
    replies only from sendable templates, and a case for every promise of a person."""

    def __init__(
        self,
        *,
        registry: TemplateRegistry,
        dialogue: RasaClient,
        triage: Triage,
        case_url_base: str,
    ) -> None:
        self._registry = registry
        self._dialogue = dialogue
        self._triage = triage
        self._case_url_base = case_url_base.rstrip("/")

    def handle(
        self,
        session: Session,
        *,
        practice: Practice,
        channel: str,
        sender_key: str,
        text: str,
        now: datetime,
    ) -> TurnResult:
        """A whole turn, as web chat needs it: store the message, then answer it."""
        inbound = self.receive(
            session, practice=practice, channel=channel, sender_key=sender_key, text=text, now=now
        )
        # Committed before asking Rasa: its actions reach this conversation through the api.
        session.commit()
        return self.answer(session, practice=practice, inbound=inbound, now=now)

    def receive(
        self,
        session: Session,
        *,
        practice: Practice,
        channel: str,
        sender_key: str,
        text: str,
        now: datetime,
    ) -> Message:
        """Add the inbound message to its conversation (flushed; the caller commits it,
        together with whatever else records its arrival, before answering)."""
        conversation = conversation_for(session, practice, channel, sender_key, now)
        inbound = Message(
            conversation_id=conversation.id, direction="in", body=text, created_at=now
        )
        session.add(inbound)
        session.flush()
        return inbound

    def answer(
        self,
        session: Session,
        *,
        practice: Practice,
        inbound: Message,
        now: datetime,
        defer_dialogue_failure: bool = False,
    ) -> TurnResult:
        """Answer a stored message: a carrier keyword (STOP, START, HELP) with its consent
        template, else triage first, then (unless a person holds the conversation) the
        dialogue engine.

        With `defer_dialogue_failure` an unreachable Rasa raises `DialogueUnavailable`
        (after triage, so red flags are still answered) and the caller tries again later;
        otherwise the client gets the technical-problem template and a case opens.
        """
        keyword = keyword_of(inbound.body)
        if keyword is not None:
            # The same answer on every channel; recording the consent is the SMS inbox's job.
            return self.reply_with_template(
                session,
                practice=practice,
                inbound=inbound,
                key=TEMPLATE_FOR[keyword],
                route=ROUTE_FOR[keyword],
                now=now,
            )
        conversation = session.get_one(Conversation, inbound.conversation_id)
        text = inbound.body
        open_now = is_open(practice.business_hours, practice.timezone, now)
        assessment = self._triage.assess(text, practice.kind)
        asks_to_stop = asks_to_stop_texts(text)
        if assessment.learned and asks_to_stop:
            rest = self._triage.assess(without_request_to_stop(text), practice.kind)
            if rest.priority is None:
                # The learned net read the request itself as a crisis ("i dont want texts.
                # take me off"): without it nothing is left to flag, so it is an opt-out.
                assessment = rest
        category = None
        if assessment.priority is None and conversation.held_by_id is not None:
            # A person holds this conversation: the bot stays silent and the message joins
            # their case (the case page shows it). Safety triage above still ran.
            return self._held_turn(session, conversation, inbound, now)
        answer = None
        # Reminders and referrals go out by SMS: only an SMS can answer one.
        by_sms = conversation.channel == "sms"
        if assessment.priority is None and by_sms:
            answer = reminder_answer(session, conversation=conversation, text=text, now=now)
        if assessment.priority is not None:
            # Red flags are answered from the rules alone: no waiting on, or for, Rasa.
            planned = [self._triage_reply(assessment, practice, open_now)]
            category = "self_harm" if assessment.self_harm else "red_flag"
            if assessment.learned and asks_to_stop:
                # The learned net's guess does not cancel a request for no more texts: the
                # opt-out is confirmed (and recorded by the SMS inbox), and a person still
                # calls about the flag. A red flag the rules found is answered alone.
                planned.insert(0, self._opt_out_confirmed(practice, open_now))
        elif asks_to_stop:
            # "Take me off this list": an opt-out in the client's own words (the SMS inbox
            # records the consent for the `optout` route, as it does for STOP).
            planned = [self._opt_out_confirmed(practice, open_now)]
            if assessment.clinical_questions:
                # "Stop the reminders. Also, how much gabapentin can she have?": the opt-out
                # holds, and the question still reaches a nurse (who calls: no more texts).
                planned.append(self._nurse_will_answer(practice, open_now))
                category = "clinical_question"
        elif (language := other_language(text)) is not None:
            # Not English: a person answers, rather than an English model guessing. The rules
            # found no red flag, but they read few words of other languages: a message that
            # may be about the patient's health is read within the urgent deadline (and the
            # on-call is paged); anything else is at least clinical.
            handoff = self._safe_template(OTHER_LANGUAGE, practice, open_now)
            if may_be_about_health(text, language):
                planned = [PlannedReply(handoff, Route.URGENT, case_priority=Priority.URGENT)]
            else:
                planned = [PlannedReply(handoff, Route.CLINICAL, case_priority=Priority.ROUTINE)]
            category = "other_language"
        elif answer is not None and answer.action == "confirm":
            planned = [self._confirmed_visit(session, practice, answer.appointment, open_now, now)]
        else:
            if answer is not None:
                # "R" to a reminder: the booking dialogue, asked to move a visit.
                text = RESCHEDULE_REQUEST
            elif by_sms and answers_a_referral(
                session, conversation=conversation, text=text, now=now
            ):
                # "BOOK" to a referral: the booking dialogue, offered the referral's visit type.
                text = REFERRAL_BOOKING_REQUEST
            else:
                # A client's own "/intent" must not choose the dialogue's path.
                text = without_forced_intent(text)
            # No database connection is held while Rasa works: its actions call back into
            # the api, and under load those calls would wait for a connection this turn holds.
            session.commit()
            try:
                dialogue_plan = self._plan_replies(practice, conversation.id, text, open_now)
            except DialogueUnavailable as exc:
                logger.warning("dialogue failed for conversation %s: %s", conversation.id, exc)
                if defer_dialogue_failure:
                    raise
                dialogue_plan = None
            if dialogue_plan is None:
                technical = self._safe_template(TECHNICAL_PROBLEM, practice, open_now)
                dialogue_plan = [
                    PlannedReply(technical, Route.FALLBACK, case_priority=Priority.ROUTINE)
                ]
                category = "dialogue_failure"
            planned, override = self._safety_overrides(
                text, assessment, dialogue_plan, practice, open_now
            )
            category = override or category
        return self._finish(
            session,
            practice,
            conversation,
            inbound,
            planned,
            category,
            _flags_for_case(assessment),
            now,
        )

    def _safety_overrides(
        self,
        text: str,
        assessment: TriageResult,
        planned: list[PlannedReply],
        practice: Practice,
        open_now: bool,
    ) -> tuple[list[PlannedReply], str | None]:
        """The dialogue's plan after the safety overrides, and the case category of the one
        that applied. They are tried in this order and the first that applies wins."""
        if _asks_to_clarify(planned) and mentions_health(text):
            # The dialogue is unsure what a message about the body, a medicine or the
            # sender's safety asks: a nurse reads it rather than the client guessing or
            # rephrasing (an emergency the rules missed must not wait for a second try).
            kept = [p for p in planned if p.route not in (Route.FAQ, Route.FALLBACK)]
            return kept + [self._nurse_will_answer(practice, open_now)], "unsure_health"
        if assessment.clinical_questions and not _at_least_clinical(planned):
            # A question only a clinician may answer (a medicine, a result, a prognosis)
            # that the dialogue took for an FAQ: no FAQ answer, a nurse answers instead.
            kept = [p for p in planned if p.route != Route.FAQ]
            return kept + [self._nurse_will_answer(practice, open_now)], "clinical_question"
        if _answers_from_faq(planned) and self._triage.asks_a_clinician(text):
            # The same, for a clinical question in words the rules do not list ("is that ok
            # with the chlorambucil"): the learned FAQ gate sends it to a nurse.
            kept = [p for p in planned if p.route != Route.FAQ]
            return kept + [self._nurse_will_answer(practice, open_now)], "clinical_question"
        if _supports_grief(planned) and self._triage.asks_a_clinician(text, instead_of="grief"):
            # "She passed last night, could the lomustine have done it?": the grief support
            # stands, and the question reaches a nurse as well (the grief gate).
            return planned + [self._nurse_will_answer(practice, open_now)], "clinical_question"
        if (
            asks_for_a_person(text)
            and not _at_least_clinical(planned)
            and not any(p.template.key.startswith(HANDOFF) for p in planned)
        ):
            # "Talk to a person" always works, whatever the dialogue made of it.
            kept = [p for p in planned if p.route not in (Route.FAQ, Route.FALLBACK, Route.OTHER)]
            handoff = self._safe_template(HANDOFF, practice, open_now)
            return kept + [PlannedReply(handoff, Route.OTHER, Priority.ROUTINE)], "handoff"
        if assessment.hypothetical and not _at_least_clinical(planned):
            # "What if he gets a fever?" is still a clinical question for a nurse.
            return planned + [self._nurse_will_answer(practice, open_now)], "clinical_question"
        return planned, None

    def reply_with_template(
        self,
        session: Session,
        *,
        practice: Practice,
        inbound: Message,
        key: str,
        route: str,
        now: datetime,
        case_category: str | None = None,
    ) -> TurnResult:
        """Answer a stored message with one fixed template (consent keywords, pictures),
        opening a routine case when `case_category` is given."""
        conversation = session.get_one(Conversation, inbound.conversation_id)
        open_now = is_open(practice.business_hours, practice.timezone, now)
        planned = [
            PlannedReply(
                self._safe_template(key, practice, open_now),
                route,
                Priority.ROUTINE if case_category else None,
            )
        ]
        return self._finish(
            session, practice, conversation, inbound, planned, case_category, [], now
        )

    def _finish(
        self,
        session: Session,
        practice: Practice,
        conversation: Conversation,
        inbound: Message,
        planned: list[PlannedReply],
        category: str | None,
        red_flags: list[dict[str, Any]],
        now: datetime,
    ) -> TurnResult:
        """Render and store the replies, and make sure the promised case exists."""
        route = most_severe([p.route for p in planned])
        case_priority = most_urgent(
            [ROUTES_NEEDING_A_CASE.get(route)] + [p.case_priority for p in planned]
        )
        values = template_values(practice)
        replies = [
            Reply(
                p.template.id,
                p.template.version,
                p.template.render(values | dict(p.extra_values)),
            )
            for p in planned
        ]
        for reply in replies:
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="out",
                    body=reply.text,
                    template_id=reply.template_id,
                    template_version=reply.template_version,
                    created_at=now,
                )
            )
        inbound.route = route
        conversation.last_message_at = now

        # A red flag may join the conversation's open red-flag case: page again only when
        # it raised that case's priority (urgent to emergency).
        joined = open_red_flag_case(session, conversation)
        priority_before = joined.priority if joined is not None else None
        if case_priority is not None:
            # A reply promised a person: make sure the case exists. An action may have
            # opened it already; then it is returned, raised in priority if need be.
            escalation: Escalation | None = open_escalation(
                session,
                conversation=conversation,
                priority=case_priority,
                category=category or route,
                now=now,
                red_flags=red_flags,
            )
        else:
            escalation = _case_for(session, inbound)
        if escalation is not None and route in CONCERN_ROUTES:
            _book_followup_call(session, conversation, escalation, inbound.body, now)
        if escalation is not None and escalation.priority in PAGED_PRIORITIES:
            raised = priority_before is not None and escalation.priority != priority_before
            if escalation.page_count == 0 or raised:
                page_on_call(
                    session,
                    escalation=escalation,
                    now=now,
                    case_url=f"{self._case_url_base}/nurse/cases/{escalation.id}",
                )
        session.commit()
        return TurnResult(
            conversation_id=conversation.id,
            route=route,
            replies=replies,
            escalation=EscalationRef(escalation.id, escalation.priority, escalation.due_at)
            if escalation
            else None,
        )

    def _confirmed_visit(
        self,
        session: Session,
        practice: Practice,
        appointment: Appointment,
        open_now: bool,
        now: datetime,
    ) -> PlannedReply:
        """ "C" to a pre-visit reminder: the visit is confirmed, and the client told which."""
        confirm(session, appointment=appointment, now=now)
        patient = session.get_one(Patient, appointment.patient_id)
        kind = session.get_one(AppointmentType, appointment.appointment_type_id)
        values = {
            "visit_type": kind.name,
            "patient_name": patient.name,
            "visit_time": visit_time_label(appointment.starts_at, ZoneInfo(practice.timezone)),
        }
        return PlannedReply(
            self._safe_template(VISIT_CONFIRMED, practice, open_now),
            Route.BOOKING,
            case_priority=None,
            extra_values=tuple(sorted(values.items())),
        )

    def _held_turn(
        self, session: Session, conversation: Conversation, inbound: Message, now: datetime
    ) -> TurnResult:
        held_case = session.scalars(
            select(Escalation)
            .where(
                Escalation.conversation_id == conversation.id,
                Escalation.status == CaseStatus.CLAIMED,
            )
            .order_by(Escalation.id.desc())
        ).first()
        inbound.route = Route.CLINICAL
        conversation.last_message_at = now
        session.commit()
        return TurnResult(
            conversation_id=conversation.id,
            route=Route.CLINICAL,
            replies=[],
            escalation=EscalationRef(held_case.id, held_case.priority, held_case.due_at)
            if held_case
            else None,
        )

    def _triage_reply(
        self, assessment: TriageResult, practice: Practice, open_now: bool
    ) -> PlannedReply:
        if assessment.priority == Priority.URGENT:
            return PlannedReply(
                self._safe_template(URGENT, practice, open_now), Route.URGENT, Priority.URGENT
            )
        key = EMERGENCY
        signs = {flag.sign for flag in assessment.red_flags}
        if assessment.self_harm:
            key = SELF_HARM
        elif SWALLOWED_MEDICINE_SIGN in signs:
            key = PERSON_SWALLOWED_CHEMO
        template = self._resolve(key, practice, open_now) or self._safe_template(
            EMERGENCY, practice, open_now
        )
        return PlannedReply(template, Route.EMERGENCY, Priority.EMERGENCY)

    def _nurse_will_answer(self, practice: Practice, open_now: bool) -> PlannedReply:
        """The "a nurse will answer" reply, with a routine case behind it."""
        nurse = self._safe_template(NURSE_WILL_ANSWER, practice, open_now)
        return PlannedReply(nurse, Route.CLINICAL, case_priority=Priority.ROUTINE)

    def _opt_out_confirmed(self, practice: Practice, open_now: bool) -> PlannedReply:
        """The confirmation of an opt-out in the client's own words (route `optout`)."""
        stopped = self._safe_template(TEMPLATE_FOR["opt_out"], practice, open_now)
        return PlannedReply(stopped, ROUTE_FOR["opt_out"], case_priority=None)

    def _plan_replies(
        self, practice: Practice, conversation_id: str, text: str, open_now: bool
    ) -> list[PlannedReply] | None:
        """Templates and routes for Rasa's replies; None when a reply is not a template.

        Raises `DialogueUnavailable` when Rasa is down, too slow, or answers nothing.
        """
        bot_replies = self._dialogue.turn(
            conversation_id, text, {"practice": practice.slug, "kind": practice.kind}
        )
        planned = []
        for bot_reply in bot_replies:
            if bot_reply.template_key is None:
                return None  # words that did not come from a template are never sent
            template = self._resolve(bot_reply.template_key, practice, open_now)
            if template is None:
                # No approved answer for this practice (a vet-only FAQ asked at the surgical
                # practice, or a template whose text changed after approval): a nurse answers.
                logger.error(
                    "no sendable template %r for a %s practice; escalating",
                    bot_reply.template_key,
                    practice.kind,
                )
                planned.append(self._nurse_will_answer(practice, open_now))
                continue
            extra = _record_values(template, bot_reply.values)
            if extra is None:
                logger.error("reply %r lacks values from the records", bot_reply.template_key)
                return None
            if "topic" in template.placeholders:
                topic = self._registry.resolve(bot_reply.topic_key or "", practice.kind)
                if topic is None or not topic.title:
                    # Nothing approved to suggest at this practice: just ask to rephrase.
                    template = self._safe_template(REPHRASE, practice, open_now)
                else:
                    extra += (("topic", topic.title),)
            planned.append(
                PlannedReply(
                    template, bot_reply.route or Route.OTHER, bot_reply.case_priority, extra
                )
            )
        return planned

    def _resolve(self, key: str, practice: Practice, open_now: bool) -> Template | None:
        if not open_now:
            after_hours = self._registry.resolve(key + AFTER_HOURS_SUFFIX, practice.kind)
            if after_hours is not None:
                return after_hours
        return self._registry.resolve(key, practice.kind)

    def _safe_template(self, key: str, practice: Practice, open_now: bool) -> Template:
        template = self._resolve(key, practice, open_now)
        if template is None:  # guarded at start-up by TemplateRegistry.check_required
            raise RuntimeError(f"safety template {key} missing")
        return template


def _book_followup_call(
    session: Session,
    conversation: Conversation,
    escalation: Escalation,
    text: str,
    now: datetime,
) -> None:
    """Book the nurse's call back for a known contact and note it on the case. A failure
    here must never hold back the reply, which is already decided."""
    try:
        with session.begin_nested():
            call = book_concern_followup(
                session, conversation=conversation, message_text=text, now=now
            )
            if call is None:
                return
            local = call.starts_at.astimezone(ZoneInfo(conversation.practice.timezone))
            note = f"Nurse follow-up call booked: {local:%a %b %d %H:%M}."
            if note not in escalation.summary:
                escalation.summary = f"{escalation.summary}\n{note}"
    except Exception:  # noqa: BLE001 - logged; the client's reply and case stand
        logger.exception("could not book a follow-up call for conversation %s", conversation.id)


def _record_values(
    template: Template, given: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...] | None:
    """The record values the template needs (a visit's time, a pet's name), or None when one
    is missing or was never filled in: such a reply is not sent."""
    values = {name: value for name, value in given if name in RECORD_PLACEHOLDERS}
    needed = template.placeholders & RECORD_PLACEHOLDERS
    if any(name not in values or "{" in values[name] for name in needed):
        return None
    return tuple((name, values[name]) for name in sorted(needed))


def _asks_to_clarify(planned: list[PlannedReply]) -> bool:
    """The dialogue was unsure: "Did you mean ...?" or a request to rephrase."""
    return any(p.template.key in (DID_YOU_MEAN, REPHRASE) for p in planned)


def _answers_from_faq(planned: list[PlannedReply]) -> bool:
    """An approved FAQ answer is planned, and nothing more severe than it."""
    return any(p.route == Route.FAQ for p in planned) and not _at_least_clinical(planned)


def _supports_grief(planned: list[PlannedReply]) -> bool:
    """Grief support is planned, and nothing more severe than it."""
    return any(p.route == Route.GRIEF for p in planned) and not _at_least_clinical(planned)


def _at_least_clinical(planned: list[PlannedReply]) -> bool:
    route = most_severe([p.route for p in planned])
    return ROUTES_BY_SEVERITY.index(route) <= ROUTES_BY_SEVERITY.index(Route.CLINICAL)


def _flags_for_case(assessment: TriageResult) -> list[dict[str, Any]]:
    """What the nurse sees: each sign with the client's own words that matched."""
    flags = [
        {"sign": f.sign, "priority": f.priority, "matched": f.matched, "hypothetical": hypo}
        for flags, hypo in ((assessment.red_flags, False), (assessment.hypothetical, True))
        for f in flags
    ]
    return flags + [
        {
            "sign": f"question.{q.topic}",
            "priority": Priority.ROUTINE,
            "matched": q.matched,
            "hypothetical": False,
        }
        for q in assessment.clinical_questions
    ]


def _case_for(session: Session, inbound: Message) -> Escalation | None:
    """The case an action opened for this message during the turn, if any."""
    return session.scalars(select(Escalation).where(Escalation.message_id == inbound.id)).first()

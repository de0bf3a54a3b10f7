"""Handle one inbound message end to end and say what was sent."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation.routes import most_severe
from assistant.db.models import Contact, Conversation, Escalation, Message, Practice
from assistant.dialogue.rasa_client import DialogueUnavailable, RasaClient
from assistant.escalation.queue import most_urgent, open_escalation
from assistant.practices.details import template_values
from assistant.templates import Template, TemplateRegistry

logger = logging.getLogger(__name__)

# Routes whose promise to the client ("a nurse will answer") needs a case in the queue.
ROUTES_NEEDING_A_CASE = {
    "emergency": "emergency",
    "urgent": "urgent",
    "clinical": "routine",
    "grief": "routine",
}
TECHNICAL_PROBLEM = "fallback.technical_problem"
NURSE_WILL_ANSWER = "clinical.nurse_will_answer"


@dataclass(frozen=True)
class PlannedReply:
    template: Template
    route: str
    case_priority: str | None


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


class TurnHandler:
    """Runs a turn: inbound message stored first, replies only from sendable templates."""

    def __init__(self, *, registry: TemplateRegistry, dialogue: RasaClient) -> None:
        self._registry = registry
        self._dialogue = dialogue

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
        conversation = _conversation_for(session, practice, channel, sender_key, now)
        inbound = Message(
            conversation_id=conversation.id, direction="in", body=text, created_at=now
        )
        session.add(inbound)
        # Commit before asking Rasa: its actions reach this conversation through the api.
        session.commit()

        planned = self._plan_replies(practice, conversation.id, text)
        category = None
        if planned is None:
            technical = self._safe_template(TECHNICAL_PROBLEM, practice)
            planned = [PlannedReply(technical, "fallback", case_priority="routine")]
            category = "dialogue_failure"
        route = most_severe([p.route for p in planned])
        case_priority = most_urgent(
            [ROUTES_NEEDING_A_CASE.get(route)] + [p.case_priority for p in planned]
        )

        values = template_values(practice)
        replies = [
            Reply(p.template.id, p.template.version, p.template.render(values)) for p in planned
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

        if case_priority is not None:
            # A reply promised a person: make sure the case exists. An action may have
            # opened it already; then it is returned, raised in priority if need be.
            escalation: Escalation | None = open_escalation(
                session,
                conversation=conversation,
                priority=case_priority,
                category=category or route,
                now=now,
            )
        else:
            escalation = _case_for(session, inbound)
        session.commit()
        return TurnResult(
            conversation_id=conversation.id,
            route=route,
            replies=replies,
            escalation=EscalationRef(escalation.id, escalation.priority, escalation.due_at)
            if escalation
            else None,
        )

    def _plan_replies(
        self, practice: Practice, conversation_id: str, text: str
    ) -> list["PlannedReply"] | None:
        """Templates and routes for Rasa's replies, or None when the turn cannot be trusted."""
        try:
            bot_replies = self._dialogue.turn(
                conversation_id, text, {"practice": practice.slug, "kind": practice.kind}
            )
        except DialogueUnavailable as exc:
            logger.warning("dialogue failed for conversation %s: %s", conversation_id, exc)
            return None
        planned = []
        for bot_reply in bot_replies:
            if bot_reply.template_key is None:
                return None  # words that did not come from a template are never sent
            template = self._registry.resolve(bot_reply.template_key, practice.kind)
            if template is None:
                # No approved answer for this practice (a vet-only FAQ asked at the surgical
                # practice, or a template whose text changed after approval): a nurse answers.
                logger.error("no sendable template %r for a %s practice; escalating",
                             bot_reply.template_key, practice.kind)  # fmt: skip
                planned.append(PlannedReply(self._safe_template(NURSE_WILL_ANSWER, practice),
                                            "clinical", case_priority="routine"))  # fmt: skip
                continue
            planned.append(
                PlannedReply(template, bot_reply.route or "other", bot_reply.case_priority)
            )
        return planned

    def _safe_template(self, key: str, practice: Practice) -> Template:
        template = self._registry.resolve(key, practice.kind)
        if template is None:  # guarded at start-up by TemplateRegistry.check_required
            raise RuntimeError(f"safety template {key} missing")
        return template


def _conversation_for(
    session: Session, practice: Practice, channel: str, sender_key: str, now: datetime
) -> Conversation:
    conversation = session.scalars(
        select(Conversation).where(
            Conversation.practice_id == practice.id,
            Conversation.channel == channel,
            Conversation.sender_key == sender_key,
        )
    ).first()
    if conversation is not None:
        return conversation
    contact_id = None
    if channel == "sms":
        contact_id = session.scalars(
            select(Contact.id).where(
                Contact.practice_id == practice.id, Contact.phone == sender_key
            )
        ).first()
    conversation = Conversation(
        practice_id=practice.id,
        channel=channel,
        sender_key=sender_key,
        contact_id=contact_id,
        created_at=now,
        last_message_at=now,
    )
    session.add(conversation)
    session.flush()
    return conversation


def _case_for(session: Session, inbound: Message) -> Escalation | None:
    """The case an action opened for this message during the turn, if any."""
    return session.scalars(select(Escalation).where(Escalation.message_id == inbound.id)).first()

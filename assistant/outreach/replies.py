"""Answers to a pre-visit reminder: C confirms the visit, R starts moving it."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, Conversation, Outreach

CONFIRM_WORDS = frozenset({"c", "confirm", "confirmed"})
RESCHEDULE_WORDS = frozenset({"r", "reschedule"})
# A C or R this long after the last reminder is no longer read as an answer to it.
ANSWER_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class ReminderAnswer:
    action: Literal["confirm", "reschedule"]
    appointment: Appointment


def reminder_answer(
    session: Session, *, conversation: Conversation, text: str, now: datetime
) -> ReminderAnswer | None:
    """The visit a lone "C" or "R" answers: the visit of the latest reminder sent to this
    contact in the last 3 days, if it is still booked and still ahead. Anything else (other
    words, no reminder, a visit since moved) is None, and the message goes to the dialogue."""
    word = re.sub(r"[^a-z]", "", text.lower())
    if word in CONFIRM_WORDS:
        action: Literal["confirm", "reschedule"] = "confirm"
    elif word in RESCHEDULE_WORDS:
        action = "reschedule"
    else:
        return None
    if conversation.contact_id is None:
        return None
    appointment = session.scalars(
        select(Appointment)
        .join(Outreach, Outreach.appointment_id == Appointment.id)
        .where(
            Outreach.contact_id == conversation.contact_id,
            Outreach.rule == "previsit",
            Outreach.status == "queued",
            Outreach.created_at > now - ANSWER_WINDOW,
        )
        .order_by(Outreach.created_at.desc(), Outreach.id.desc())
    ).first()
    if appointment is None or appointment.status != "booked" or appointment.starts_at <= now:
        return None
    return ReminderAnswer(action, appointment)

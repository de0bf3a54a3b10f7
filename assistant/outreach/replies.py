"""Answers to a proactive message: C confirms a reminded visit, R starts moving it, BOOK
starts booking the visit a referral asked for."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, Conversation, Outreach, SurgicalCase

CONFIRM_WORDS = frozenset({"c", "confirm", "confirmed"})
RESCHEDULE_WORDS = frozenset({"r", "reschedule"})
BOOK_WORDS = frozenset({"book"})
# A C or R this long after the last reminder is no longer read as an answer to it.
ANSWER_WINDOW = timedelta(days=3)
# BOOK answers a referral for as long as the referral message stays valid.
REFERRAL_ANSWER_WINDOW = timedelta(days=14)
# The visit type a referral books, by the adjuvant therapy staff recorded (the surgical
# practice's appointment type codes).
REFERRAL_VISIT_TYPES = {"medical": "med_onc_referral", "radiation": "rad_onc_referral"}
# What the dialogue is sent for R and for BOOK: Rasa reads a message starting with "/" as
# that intent. The api's booking endpoints recognise the BOOK one and offer the referral's type.
RESCHEDULE_REQUEST = "/reschedule_appointment"
REFERRAL_BOOKING_REQUEST = "/book_appointment"


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


def answers_a_referral(
    session: Session, *, conversation: Conversation, text: str, now: datetime
) -> bool:
    """A lone "BOOK" from a contact sent a referral in the last 14 days."""
    word = re.sub(r"[^a-z]", "", text.lower())
    return (
        word in BOOK_WORDS
        and referral_visit_type(session, conversation=conversation, now=now) is not None
    )


def referral_visit_type(
    session: Session, *, conversation: Conversation, now: datetime
) -> str | None:
    """The appointment type code of the latest referral sent to this conversation's contact in
    the last 14 days, if any."""
    if conversation.contact_id is None:
        return None
    therapy = session.scalars(
        select(SurgicalCase.adjuvant_therapy)
        .join(Outreach, Outreach.surgical_case_id == SurgicalCase.id)
        .where(
            Outreach.contact_id == conversation.contact_id,
            Outreach.rule == "referral",
            Outreach.status == "queued",
            Outreach.created_at > now - REFERRAL_ANSWER_WINDOW,
        )
        .order_by(Outreach.created_at.desc(), Outreach.id.desc())
    ).first()
    return REFERRAL_VISIT_TYPES.get(therapy or "")

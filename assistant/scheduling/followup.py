"""A nurse call back booked when a client raises a clinical concern."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    Appointment,
    ContactPatient,
    Conversation,
    Patient,
    Practice,
)
from assistant.scheduling.availability import SlotFinder
from assistant.scheduling.booking import SlotTaken, appointment_type_by_code, book

FOLLOWUP_TYPE = "nurse_followup_call"


def book_concern_followup(
    session: Session, *, conversation: Conversation, message_text: str, now: datetime
) -> Appointment | None:
    """Book a nurse follow-up call at the first free nurse time, for the patient named in the
    message (else the contact's first patient); one a day per conversation, however often the
    concern is repeated. None for an unknown contact, no such appointment type, or no free time.
    """
    if conversation.contact_id is None:
        return None
    practice = session.get_one(Practice, conversation.practice_id)
    patients = list(
        session.scalars(
            select(Patient)
            .join(ContactPatient, ContactPatient.patient_id == Patient.id)
            .where(
                ContactPatient.contact_id == conversation.contact_id,
                Patient.practice_id == practice.id,
            )
            .order_by(Patient.id)
        )
    )
    call_type = appointment_type_by_code(session, practice.id, FOLLOWUP_TYPE)
    if not patients or call_type is None:
        return None
    said = message_text.lower()
    named = [p for p in patients if re.search(rf"\b{re.escape(p.name.lower())}\b", said)]
    patient = (named or patients)[0]
    day = now.astimezone(ZoneInfo(practice.timezone)).date().isoformat()
    key = f"concern-{conversation.id}-{day}"
    existing = session.scalars(
        select(Appointment).where(Appointment.idempotency_key == key)
    ).first()
    if existing is not None:
        return existing
    finder = SlotFinder()
    # The first free time can be taken by someone else between finding and booking: try again.
    for _ in range(3):
        after = now + timedelta(minutes=1)  # a booking must start after `now`
        offer = finder.first_free(session, appointment_type=call_type, after=after, now=now)
        if offer is None:
            return None
        try:
            return book(
                session,
                patient=patient,
                appointment_type=call_type,
                starts_at=offer.starts_at,
                clinician_id=offer.clinician_id,
                idempotency_key=key,
                now=now,
            )
        except SlotTaken:
            continue
    return None

"""Which patient a case is about. A case belongs to a conversation with a contact, and a
contact may speak for several patients (an owner of two dogs), so this is worked out, not
stored: the contact's only patient, or else the one patient its messages name."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import ContactPatient, Conversation, Patient
from assistant.identity.verification import contains_words, words


def contact_patients(session: Session, conversation: Conversation) -> list[Patient]:
    """Every patient the conversation's contact speaks for, deceased ones too (their record
    still has to be filed), oldest record first."""
    if conversation.contact_id is None:
        return []
    return list(
        session.scalars(
            select(Patient)
            .join(ContactPatient, ContactPatient.patient_id == Patient.id)
            .where(
                ContactPatient.contact_id == conversation.contact_id,
                Patient.practice_id == conversation.practice_id,
            )
            .order_by(Patient.id)
        )
    )


def case_patient(candidates: Sequence[Patient], client_texts: Sequence[str]) -> Patient | None:
    """The patient a case is about, or None when it cannot be told (no patient on file, or
    several and the client's messages name none or more than one of them)."""
    if len(candidates) == 1:
        return candidates[0]
    said = words(" ".join(client_texts))
    named = [p for p in candidates if contains_words(said, p.name)]
    if not named:
        # People are often named by first name alone ("Raymond's drain").
        named = [p for p in candidates if contains_words(said, p.name.split()[0])]
    return named[0] if len(named) == 1 else None

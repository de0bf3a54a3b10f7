"""A concern books one nurse call a day per conversation, for the pet it names."""

from datetime import timedelta

from sqlalchemy.orm import Session

from assistant.db.models import Conversation
from assistant.scheduling.followup import book_concern_followup
from tests.assistant.scheduling.clinic import NOW, make_clinic


def _conversation(session: Session, practice_id: int, contact_id: int | None) -> Conversation:
    conversation = Conversation(
        practice_id=practice_id,
        channel="sms",
        sender_key=f"+1312555015{contact_id or 9}",
        contact_id=contact_id,
    )
    session.add(conversation)
    session.flush()
    return conversation


def test_books_a_call_for_the_named_pet_once_a_day(session: Session) -> None:
    clinic = make_clinic(session)
    conversation = _conversation(session, clinic.practice_id, clinic.contact.id)

    call = book_concern_followup(
        session, conversation=conversation, message_text="pepper is vomiting", now=NOW
    )
    again = book_concern_followup(
        session, conversation=conversation, message_text="still vomiting", now=NOW
    )

    assert call is not None and call.patient_id == clinic.other_patient.id
    assert call.appointment_type_id == clinic.call.id
    assert call.clinician_id in {n.id for n in clinic.nurses}
    assert again is not None and again.id == call.id
    tomorrow = book_concern_followup(
        session, conversation=conversation, message_text="worse", now=NOW + timedelta(days=1)
    )
    assert tomorrow is not None and tomorrow.id != call.id
    assert tomorrow.patient_id == clinic.patient.id  # no name: the first pet


def test_unknown_contact_or_no_call_type_books_nothing(session: Session) -> None:
    clinic = make_clinic(session)
    stranger = _conversation(session, clinic.practice_id, None)

    assert book_concern_followup(session, conversation=stranger, message_text="x", now=NOW) is None
    session.delete(clinic.call)
    session.flush()
    known = _conversation(session, clinic.practice_id, clinic.contact.id)
    assert book_concern_followup(session, conversation=known, message_text="x", now=NOW) is None

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import (
    AuditLog,
    Contact,
    ContactPatient,
    Conversation,
    Message,
    Patient,
    StaffUser,
)
from assistant.escalation.queue import due_at, most_urgent, open_escalation
from tests.conftest import add_practice

MONDAY_NOON_CHICAGO = datetime(2026, 11, 30, 18, tzinfo=UTC)


def _conversation_with(session: Session, text: str) -> Conversation:
    practice = add_practice(session, kind="veterinary")
    conversation = Conversation(practice_id=practice.id, channel="web", sender_key="web-1")
    session.add(conversation)
    session.flush()
    session.add(Message(conversation_id=conversation.id, direction="in", body=text))
    session.flush()
    return conversation


def test_deadlines_follow_priority(session: Session) -> None:
    practice = add_practice(session, kind="human")

    assert due_at(practice, "emergency", MONDAY_NOON_CHICAGO) == MONDAY_NOON_CHICAGO + timedelta(
        minutes=5
    )
    assert due_at(practice, "urgent", MONDAY_NOON_CHICAGO) == MONDAY_NOON_CHICAGO + timedelta(
        hours=1
    )
    # Routine: close of Tuesday, 18:00 in Chicago.
    assert due_at(practice, "routine", MONDAY_NOON_CHICAGO) == datetime(2026, 12, 2, 0, tzinfo=UTC)


def test_case_quotes_the_clients_words_and_is_audited(session: Session) -> None:
    conversation = _conversation_with(session, "biscuit threw up twice this morning")

    case = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="symptom",
        now=MONDAY_NOON_CHICAGO,
    )

    assert case.summary == "biscuit threw up twice this morning"
    assert (case.status, case.assigned_role) == ("open", "nurse")
    audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "escalation")).one()
    assert (audit.action, audit.entity_id) == ("escalation.opened", str(case.id))


def test_second_request_for_the_same_message_reuses_the_case_and_raises_priority(
    session: Session,
) -> None:
    conversation = _conversation_with(session, "incision is red and hot")
    first = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="symptom",
        now=MONDAY_NOON_CHICAGO,
    )

    again = open_escalation(
        session,
        conversation=conversation,
        priority="urgent",
        category="symptom",
        now=MONDAY_NOON_CHICAGO,
    )

    assert again.id == first.id
    assert again.priority == "urgent"
    assert again.due_at == MONDAY_NOON_CHICAGO + timedelta(hours=1)


def test_most_urgent_ignores_missing_priorities() -> None:
    assert most_urgent([None, "routine", "urgent"]) == "urgent"
    assert most_urgent([None]) is None


def test_treatment_question_goes_to_the_patients_own_clinician(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")
    vet = StaffUser(
        practice_id=practice.id,
        name="Dr. Hart",
        email="hart@example.org",
        role="oncologist",
        phone="+13125550130",
    )
    owner = Contact(
        practice_id=practice.id, phone="+13125550131", first_name="Ana", last_name="Ruiz"
    )
    session.add_all([vet, owner])
    session.flush()
    pet = Patient(
        practice_id=practice.id,
        kind="animal",
        name="Max",
        species="dog",
        primary_clinician_id=vet.id,
    )
    session.add(pet)
    session.flush()
    session.add(ContactPatient(contact_id=owner.id, patient_id=pet.id, relationship_kind="owner"))
    conversation = Conversation(
        practice_id=practice.id, channel="sms", sender_key=owner.phone, contact_id=owner.id
    )
    session.add(conversation)
    session.flush()
    session.add(
        Message(conversation_id=conversation.id, direction="in", body="should we stop chemo")
    )
    session.flush()

    treatment = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="clinical_question",
        now=MONDAY_NOON_CHICAGO,
    )

    assert (treatment.assigned_role, treatment.assigned_staff_id) == ("oncologist", vet.id)


def test_symptom_report_goes_to_the_nurse(session: Session) -> None:
    conversation = _conversation_with(session, "she has a rash")

    case = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="symptom",
        now=MONDAY_NOON_CHICAGO,
    )

    assert (case.assigned_role, case.assigned_staff_id) == ("nurse", None)


def test_a_clinical_question_found_after_the_dialogue_opened_a_grief_case_recategorises_it(
    session: Session,
) -> None:
    # "She passed last night, could the lomustine have done it?": the grief action opened a
    # grief case, then the grief gate found the question; the queue must show the question.
    conversation = _conversation_with(session, "she passed last night, was it the lomustine")
    grief = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="grief",
        now=MONDAY_NOON_CHICAGO,
    )
    assert grief.assigned_role == "nurse"

    case = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="clinical_question",
        now=MONDAY_NOON_CHICAGO,
    )

    assert case.id == grief.id
    assert (case.category, case.assigned_role) == ("clinical_question", "oncologist")
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["escalation.opened", "escalation.recategorised"]


def test_a_red_flag_case_joined_from_another_message_keeps_its_category(session: Session) -> None:
    conversation = _conversation_with(session, "she collapsed")
    first = open_escalation(
        session,
        conversation=conversation,
        priority="urgent",
        category="red_flag",
        now=MONDAY_NOON_CHICAGO,
    )
    session.add(Message(conversation_id=conversation.id, direction="in", body="and the dose?"))
    session.flush()

    again = open_escalation(
        session,
        conversation=conversation,
        priority="urgent",
        category="clinical_question",
        now=MONDAY_NOON_CHICAGO,
    )

    assert again.id == first.id and again.category == "red_flag"


def test_a_second_red_flag_in_the_conversation_joins_its_open_case(session: Session) -> None:
    conversation = _conversation_with(session, "she collapsed")
    first = open_escalation(
        session,
        conversation=conversation,
        priority="urgent",
        category="red_flag",
        now=MONDAY_NOON_CHICAGO,
    )
    session.add(Message(conversation_id=conversation.id, direction="in", body="now gums are white"))
    session.flush()

    again = open_escalation(
        session,
        conversation=conversation,
        priority="emergency",
        category="red_flag",
        now=MONDAY_NOON_CHICAGO,
    )

    assert again.id == first.id and again.priority == "emergency"
    actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["escalation.opened", "escalation.joined", "escalation.raised"]


def test_a_routine_question_after_a_red_flag_and_a_red_flag_after_resolution_get_their_own_case(
    session: Session,
) -> None:
    conversation = _conversation_with(session, "she collapsed")
    emergency = open_escalation(
        session,
        conversation=conversation,
        priority="emergency",
        category="red_flag",
        now=MONDAY_NOON_CHICAGO,
    )
    session.add(Message(conversation_id=conversation.id, direction="in", body="can she eat?"))
    session.flush()
    routine = open_escalation(
        session,
        conversation=conversation,
        priority="routine",
        category="clinical_question",
        now=MONDAY_NOON_CHICAGO,
    )
    emergency.status = "resolved"
    session.add(Message(conversation_id=conversation.id, direction="in", body="seizure again"))
    session.flush()
    later = open_escalation(
        session,
        conversation=conversation,
        priority="emergency",
        category="red_flag",
        now=MONDAY_NOON_CHICAGO,
    )

    assert len({emergency.id, routine.id, later.id}) == 3

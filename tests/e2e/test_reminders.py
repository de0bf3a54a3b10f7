"""Proactive messages answered through the real stack: the scheduler's own command queues a
pre-visit reminder, answered C (the visit is confirmed) and R (the booking dialogue starts
moving it), and a referral, answered BOOK (the booking dialogue offers the referral's visit)."""

import subprocess
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.coordination import surgical_cases
from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Appointment, AppointmentType, Patient, Practice, StaffUser
from tests.e2e.conftest import Stack
from tests.support import processes

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "+13125550101"
HUMAN = "+16175550101"
NADIA = "+13125550132"  # Sasha's owner, consent unknown; no other test texts from this number
KWAME = "+18575550124"  # a surgical patient no other test texts from
CHICAGO = ZoneInfo("America/Chicago")
BOSTON = ZoneInfo("America/New_York")


def run_outreach(stack: Stack, at: datetime) -> None:
    done = subprocess.run(
        [str(processes.APP_PYTHON), "-m", "assistant", "outreach", "--at", at.isoformat()],
        cwd=processes.ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _book_sasha(stack: Stack) -> tuple[int, datetime]:
    """A CBC recheck for Sasha in three days, at 6:40 pm: after every shift, so no booking
    another test makes can be offered the same time."""
    day = datetime.now(CHICAGO).date() + timedelta(days=3)
    starts = datetime.combine(day, time(18, 40), tzinfo=CHICAGO).astimezone(UTC)
    engine = make_engine(stack.env["DATABASE_URL"])
    with make_session_factory(engine)() as session:
        sasha = session.scalars(select(Patient).where(Patient.name == "Sasha")).one()
        recheck = session.scalars(
            select(AppointmentType).where(
                AppointmentType.practice_id == sasha.practice_id,
                AppointmentType.code == "cbc_recheck",
            )
        ).one()
        nurse = session.scalars(
            select(StaffUser).where(StaffUser.email == "casey.morgan@cedar-vet.example.org")
        ).one()
        visit = Appointment(
            practice_id=sasha.practice_id,
            patient_id=sasha.id,
            appointment_type_id=recheck.id,
            clinician_id=nurse.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=20),
            status="booked",
        )
        session.add(visit)
        session.commit()
        visit_id = visit.id
    engine.dispose()
    return visit_id, starts


def _confirmed_at(stack: Stack, visit_id: int) -> datetime | None:
    engine = make_engine(stack.env["DATABASE_URL"])
    with make_session_factory(engine)() as session:
        confirmed = session.get_one(Appointment, visit_id).confirmed_at
    engine.dispose()
    return confirmed


def test_an_owner_confirms_a_reminded_visit_with_c_and_moves_it_with_r(stack: Stack) -> None:
    visit_id, starts = _book_sasha(stack)
    reminder_day = starts.astimezone(CHICAGO).date() - timedelta(days=2)
    reminder_time = datetime.combine(reminder_day, time(10), tzinfo=CHICAGO)
    # Nadia came in with the practice's records and never said yes to texts: no reminder
    # until she opts in (issue 19).
    run_outreach(stack, reminder_time)
    assert [row for row in stack.outbox() if row[0] == NADIA] == []
    stack.text("START", sender=NADIA, to=VET)
    assert (NADIA, "both.consent.started") in [(to, template) for to, template, _ in stack.outbox()]
    run_outreach(stack, reminder_time)

    reminders = [row for row in stack.outbox() if row[0] == NADIA and row[2] == "proactive"]
    assert reminders == [(NADIA, "vet.coordination.previsit_cbc_recheck", "proactive")]

    confirmed = stack.text("C", sender=NADIA, to=VET)
    assert [template for template, _ in confirmed] == ["both.booking.attendance_confirmed"]
    assert "Sasha" in confirmed[0][1]
    assert _confirmed_at(stack, visit_id) is not None

    moving = stack.text("r", sender=NADIA, to=VET)
    # The booking dialogue, asked to move a visit, first checks who is texting.
    assert [template for template, _ in moving] == ["vet.booking.ask_identity"]


def test_a_patient_referred_to_medical_oncology_answers_book(stack: Stack) -> None:
    engine = make_engine(stack.env["DATABASE_URL"])
    now = datetime.now(UTC)
    with make_session_factory(engine)() as session:
        kwame = session.scalars(select(Patient).where(Patient.name == "Kwame Asante")).one()
        practice = session.get_one(Practice, kwame.practice_id)
        surgeon = session.scalars(select(StaffUser).where(StaffUser.role == "surgeon")).first()
        case = surgical_cases.open_case(
            session,
            practice=practice,
            patient=kwame,
            ref="CASE-E2E-BOOK",
            procedure="Wide local excision, right calf",
            surgery_at=now + timedelta(days=20),
            surgeon_id=surgeon.id if surgeon else None,
            payer_name=None,
            tests=[],
            sentinel_node_mapping=False,
            now=now,
        )
        surgical_cases.record_adjuvant(session, case=case, kind="medical", now=now)
        session.commit()
    engine.dispose()
    tomorrow = datetime.now(BOSTON).date() + timedelta(days=1)
    run_outreach(stack, datetime.combine(tomorrow, time(10), tzinfo=BOSTON))
    assert (KWAME, "human.coordination.referral_medical", "proactive") in stack.outbox()

    asked = stack.text("BOOK", sender=KWAME, to=HUMAN)
    offered = stack.text("6/18/1962", sender=KWAME, to=HUMAN)

    assert [template for template, _ in asked] == ["human.booking.ask_identity"]
    assert [template for template, _ in offered] == ["both.booking.offer_times"]
    assert offered[0][1].startswith("For the Medical oncology referral visit")

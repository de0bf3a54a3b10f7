"""A pre-visit reminder through the real stack: the scheduler's own command queues it, and the
owner answers C (the visit is confirmed) and then R (the booking dialogue starts)."""

import subprocess
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Appointment, AppointmentType, Patient, StaffUser
from tests.e2e.conftest import Stack
from tests.support import processes

pytestmark = pytest.mark.e2e
VET = "+13125550101"
NADIA = "+13125550132"  # Sasha's owner; no other test texts from this number
CHICAGO = ZoneInfo("America/Chicago")


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
    run_at = datetime.combine(reminder_day, time(10), tzinfo=CHICAGO).isoformat()

    done = subprocess.run(
        [str(processes.APP_PYTHON), "-m", "assistant", "outreach", "--at", run_at],
        cwd=processes.ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    reminders = [row for row in stack.outbox() if row[0] == NADIA]
    assert reminders == [(NADIA, "vet.coordination.previsit_cbc_recheck", "proactive")]

    confirmed = stack.text("C", sender=NADIA, to=VET)
    assert [template for template, _ in confirmed] == ["both.booking.attendance_confirmed"]
    assert "Sasha" in confirmed[0][1]
    assert _confirmed_at(stack, visit_id) is not None

    moving = stack.text("r", sender=NADIA, to=VET)
    # The booking dialogue, asked to move a visit, first checks who is texting.
    assert [template for template, _ in moving] == ["vet.booking.ask_identity"]

"""A visit the source cancels or moves is cancelled or moved here through the scheduling
functions: its time is released, and the outreach scheduler sends no reminder for it."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AppointmentTimeClaim, OutboxMessage
from assistant.imports.run import export_files
from assistant.outreach.caps import OutreachLimits
from assistant.scheduling.booking import reschedule
from tests.assistant.imports.conftest import NOW, SAMPLE, csv_file, local, run_import
from tests.assistant.outreach.support import outreach_keys, scheduler

APPOINTMENTS = "Appt ID,Patient ID,Date,Time,Type,Provider,Status"
MAPLE_OWNER = "+12245550140"
# Sunday 13 December, 10 am: the day-2 reminder for Maple's chemotherapy on Tuesday is due.
TWO_DAYS_BEFORE = local(date(2026, 12, 13), "10:00")


def _visit(session: Session, source_id: str) -> Appointment:
    session.expire_all()
    return session.scalars(select(Appointment).where(Appointment.source_id == source_id)).one()


def _claims(session: Session, appointment_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AppointmentTimeClaim)
        .where(AppointmentTimeClaim.appointment_id == appointment_id)
    )


@pytest.mark.parametrize("cancelled_in_source", [False, True])
def test_a_source_cancellation_cancels_our_visit_and_its_reminder_is_not_sent(
    demo: Session, cancelled_in_source: bool
) -> None:
    run_import(demo)
    chemo = _visit(demo, "A-7001")
    if cancelled_in_source:
        cancelled = "A-7001,P-2001,12/15/2026,4:00 PM,Chemotherapy,Dr. Evelyn Hart,Cancelled"
        report = run_import(
            demo, [csv_file("appointments.csv", APPOINTMENTS, cancelled)], now=TWO_DAYS_BEFORE
        )
        assert report.counts["appointments"]["updated"] == 1
        assert _visit(demo, "A-7001").status == "cancelled"
        assert _claims(demo, chemo.id) == 0

    scheduler(limits=OutreachLimits(per_day=5, per_week=20)).run(demo, now=TWO_DAYS_BEFORE)

    reminded = [k for k in outreach_keys(demo) if k.startswith(f"previsit-d2-appt-{chemo.id}:")]
    texts = demo.scalars(
        select(OutboxMessage.body).where(OutboxMessage.to_number == MAPLE_OWNER)
    ).all()
    if cancelled_in_source:
        assert reminded == [] and texts == []
    else:  # the same run reminds the same visit when the source still has it
        assert len(reminded) == 1 and any("Maple" in t for t in texts)


def test_a_moved_appointment_moves_ours(demo: Session) -> None:
    run_import(demo)
    before = _visit(demo, "A-7002")  # Wednesday 16 December, 3:30 pm
    moved = "A-7002,P-2003,12/17/2026,3:30 PM,Recheck,Dr. Evelyn Hart,Confirmed"
    file = csv_file("appointments.csv", APPOINTMENTS, moved)

    report = run_import(demo, [file])

    assert report.counts["appointments"]["updated"] == 1
    after = _visit(demo, "A-7002")
    assert after.starts_at == local(date(2026, 12, 17), "15:30")
    assert after.rescheduled_from_id == before.id and after.status == "booked"
    old = demo.get_one(Appointment, before.id)
    assert (old.status, old.source_id) == ("rescheduled", None)
    assert _claims(demo, before.id) == 0 and _claims(demo, after.id) == 6
    assert run_import(demo, [file]).counts["appointments"]["unchanged"] == 1


def test_a_visit_moved_here_by_the_client_is_not_moved_back(demo: Session) -> None:
    run_import(demo)
    friday = local(date(2026, 12, 18), "15:00")
    reschedule(
        demo, appointment=_visit(demo, "A-7002"), starts_at=friday, idempotency_key="t", now=NOW
    )
    demo.commit()

    stale = run_import(demo)

    assert [p.reason for p in stale.problems] == [
        "appointment 'A-7002' was moved here to 2026-12-18 15:00; the source still has "
        "2026-12-16 15:30: update it there"
    ]
    caught_up = "A-7002,P-2003,12/18/2026,3:00 PM,Recheck,Dr. Evelyn Hart,Scheduled"
    report = run_import(demo, [csv_file("appointments.csv", APPOINTMENTS, caught_up)])
    assert report.problems == [] and report.counts["appointments"]["updated"] == 1
    assert _visit(demo, "A-7002").starts_at == friday


def test_a_cancelled_visit_is_not_booked_again_by_a_stale_export(demo: Session) -> None:
    run_import(demo)
    cancelled = "A-7003,P-2001,12/17/2026,4:00 PM,CBC Recheck,Jordan Reyes CVT,Cancelled"
    run_import(demo, [csv_file("appointments.csv", APPOINTMENTS, cancelled)])

    stale = run_import(demo)

    assert stale.counts["appointments"]["refused"] == 1
    assert "was cancelled here" in stale.problems[0].reason
    assert _visit(demo, "A-7003").status == "cancelled"


def test_an_imported_client_with_no_stated_consent_gets_no_reminder_until_opting_in(
    demo: Session,
) -> None:
    """Issue 19: nothing proactive to an imported contact whose consent is unknown."""
    from assistant.db.models import Contact

    no_column = csv_file(
        "clients.csv",
        "Client ID,First Name,Last Name,Mobile Phone",
        "C-1001,Olivia,Brennan,(224) 555-0140",
    )
    others = [f for f in export_files([SAMPLE]) if f.name != "clients.csv"]
    run_import(demo, [no_column, *others])
    chemo = _visit(demo, "A-7001")
    owner = demo.scalars(select(Contact).where(Contact.phone == MAPLE_OWNER)).one()
    assert owner.consent == "unknown"

    scheduler(limits=OutreachLimits(per_day=5, per_week=20)).run(demo, now=TWO_DAYS_BEFORE)
    assert (
        demo.scalars(select(OutboxMessage).where(OutboxMessage.to_number == MAPLE_OWNER)).all()
        == []
    )

    owner.consent = "opted_in"  # the client texted START
    demo.commit()
    scheduler(limits=OutreachLimits(per_day=5, per_week=20)).run(demo, now=TWO_DAYS_BEFORE)
    reminded = [k for k in outreach_keys(demo) if k.startswith(f"previsit-d2-appt-{chemo.id}:")]
    assert len(reminded) == 1

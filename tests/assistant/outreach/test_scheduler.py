"""The outreach scheduler with the veterinary rules, on an injected clock: each message once,
inside sending hours, within the caps and consent, and never to a deceased pet's family
except grief support."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.coordination.grief import set_patient_status
from assistant.coordination.visits import previsit_reminders
from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    LabResult,
    OutboxMessage,
    Outreach,
    StaffAlert,
    SupportResource,
)
from assistant.outreach.caps import OutreachLimits
from tests.assistant.outreach.support import (
    at,
    book,
    client_texts,
    outreach_keys,
    scheduler,
)
from tests.assistant.scheduling.clinic import make_clinic

PHONE = "+13125550150"  # the clinic's contact, owner of Biscuit and Pepper


class Killed(BaseException):
    """The process dying mid-run (not an error the scheduler could catch and go on from)."""


def test_reminders_go_two_days_and_one_day_before_the_visit_once_each(session: Session) -> None:
    clinic = make_clinic(session)
    visit = book(session, clinic, at(3, "09:00"))  # Thursday 3 December
    outreach = scheduler()

    assert outreach.run(session, now=at(1, "07:30")).deferred == 1  # before 8 am: waits
    assert client_texts(session) == []
    assert outreach.run(session, now=at(1, "08:00")).queued == 1
    assert outreach.run(session, now=at(1, "08:01")).queued == 0  # already sent
    outreach.run(session, now=at(2, "10:00"))
    outreach.run(session, now=at(3, "08:30"))  # the day itself: no third reminder

    texts = client_texts(session)
    assert [(to, template) for to, template, _ in texts] == [
        (PHONE, "vet.coordination.previsit_chemo_treatment"),
        (PHONE, "vet.coordination.previsit_chemo_treatment"),
    ]
    assert texts[0][2] == (
        "Biscuit has chemo on Thu Dec 3 at 9:00 AM. Reply C to confirm or R to reschedule."
    )
    assert outreach_keys(session) == [
        f"previsit-d2-appt-{visit}:contact-{clinic.contact.id}",
        f"previsit-d1-appt-{visit}:contact-{clinic.contact.id}",
    ]


def test_a_reminder_held_by_quiet_hours_goes_in_the_morning_or_expires(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "15:00"))
    outreach = scheduler()

    # Booked at 9 pm on Tuesday: the 2-day reminder's day ends in quiet hours.
    assert outreach.run(session, now=at(1, "21:00")).deferred == 1
    report = outreach.run(session, now=at(2, "08:00"))

    assert (report.expired, report.queued) == (1, 1)
    statuses = session.execute(select(Outreach.key, Outreach.status).order_by(Outreach.id)).all()
    assert [(key.split("-appt")[0], status) for key, status in statuses] == [
        ("previsit-d2", "expired"),
        ("previsit-d1", "queued"),
    ]
    assert len(client_texts(session)) == 1


def test_caps_allow_one_text_a_day_and_three_a_week(session: Session) -> None:
    clinic = make_clinic(session)
    # A visit every weekday for two weeks: each day has a reminder due.
    for day in (2, 3, 4, 7, 8, 9, 10, 11, 14):
        book(session, clinic, at(day, "09:00"))
    outreach = scheduler(limits=OutreachLimits(per_day=1, per_week=3))

    sent_on = {}
    for day in range(1, 15):
        for hhmm in ("08:00", "12:00", "19:59"):
            before = len(client_texts(session))
            outreach.run(session, now=at(day, hhmm))
            sent_on[day] = sent_on.get(day, 0) + len(client_texts(session)) - before

    assert max(sent_on.values()) == 1
    for first in range(1, 9):  # any 7 days in a row
        assert sum(sent_on[d] for d in range(first, first + 7)) <= 3
    assert sum(sent_on.values()) == 6  # days 1, 2, 3 and then 8, 9, 10


def test_an_opted_out_contact_gets_nothing_until_they_opt_back_in(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))
    clinic.contact.consent = "opted_out"
    session.commit()
    outreach = scheduler()

    outreach.run(session, now=at(1, "09:00"))
    assert client_texts(session) == []
    assert outreach_keys(session) == []  # not recorded: it may still go after START

    clinic.contact.consent = "opted_in"
    session.commit()
    outreach.run(session, now=at(1, "10:00"))
    assert len(client_texts(session)) == 1


def test_a_deceased_pet_gets_no_reminder_and_its_family_grief_support_once(
    session: Session,
) -> None:
    clinic = make_clinic(session)
    for day in (3, 4, 8):
        book(session, clinic, at(day, "09:00"))
    session.add(
        SupportResource(
            practice_id=clinic.practice_id,
            title="Pet Loss Support Hotline",
            detail="607-218-7457",
            stages=["deceased"],
        )
    )
    session.commit()
    outreach = scheduler()
    outreach.run(session, now=at(1, "08:00"))  # the 2-day reminder for Thursday is queued
    pending = session.scalars(select(OutboxMessage)).one()
    assert pending.status == "pending"

    withdrawn = set_patient_status(
        session, patient=clinic.patient, status="deceased", staff_id=None, now=at(1, "09:00")
    )
    session.commit()
    for day in range(1, 10):
        outreach.run(session, now=at(day, "08:00"))
        outreach.run(session, now=at(day, "12:00"))

    session.refresh(pending)
    assert withdrawn == 1 and pending.status == "withdrawn"
    later = client_texts(session)[1:]
    assert [template for _, template, _ in later] == ["vet.coordination.grief_deceased"]
    assert later[0][2] == "We are so sorry about Biscuit. Pet Loss Support Hotline: 607-218-7457"
    reminders_sent = session.scalar(
        select(func.count())
        .select_from(Outreach)
        .where(Outreach.rule == "previsit", Outreach.status == "queued")
    )
    assert reminders_sent == 0


def test_palliative_care_stops_reminders_but_not_the_treatment_summary(session: Session) -> None:
    clinic = make_clinic(session)
    visit_id = book(session, clinic, at(1, "09:00"))
    book(session, clinic, at(3, "09:00"))  # its 2-day reminder would be due today
    set_patient_status(
        session, patient=clinic.patient, status="palliative", staff_id=None, now=at(1, "07:00")
    )
    visit = session.get_one(Appointment, visit_id)
    visit.status, visit.completed_at, visit.drug = "completed", at(1, "10:00"), "vincristine"
    session.commit()

    scheduler().run(session, now=at(1, "11:00"))

    assert [template for _, template, _ in client_texts(session)] == [
        "vet.coordination.treatment_summary"
    ]


def test_a_chemo_visit_without_a_cbc_alerts_the_oncologist_and_reminds_the_owner(
    session: Session,
) -> None:
    clinic = make_clinic(session)
    clinic.chemo.needs_labs = True
    visit = book(session, clinic, at(3, "09:00"))
    outreach = scheduler()

    outreach.run(session, now=at(2, "08:59"))  # 24 h and a minute before: not yet
    assert session.scalars(select(StaffAlert)).all() == []
    outreach.run(session, now=at(2, "09:01"))

    alert = session.scalars(select(StaffAlert)).one()
    assert alert.key == f"labs-missing-appt-{visit}"
    assert alert.notified_staff_ids == [clinic.oncologist.id]
    pages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).all()
    assert [p.to_number for p in pages] == [clinic.oncologist.phone]
    assert "Biscuit" not in pages[0].body  # a locked screen shows no patient
    templates = [template for _, template, _ in client_texts(session)]
    assert "vet.coordination.labs_needed" in templates


def test_a_cbc_on_file_means_no_lab_alert(session: Session) -> None:
    clinic = make_clinic(session)
    clinic.chemo.needs_labs = True
    book(session, clinic, at(3, "09:00"))
    session.add(
        LabResult(
            practice_id=clinic.practice_id,
            patient_id=clinic.patient.id,
            test_code="cbc",
            collected_at=at(2, "08:00"),
        )
    )
    session.commit()

    scheduler().run(session, now=at(2, "10:00"))

    assert session.scalars(select(StaffAlert)).all() == []
    assert "vet.coordination.labs_needed" not in [t for _, t, _ in client_texts(session)]


def test_the_treatment_summary_names_the_drug_and_the_next_visit(session: Session) -> None:
    clinic = make_clinic(session)
    done = session.get_one(Appointment, book(session, clinic, at(1, "09:00")))
    book(session, clinic, at(8, "09:00"))
    done.status, done.completed_at, done.drug = "completed", at(1, "10:00"), "Doxorubicin"
    session.commit()
    outreach = scheduler()

    outreach.run(session, now=at(1, "10:30"))
    outreach.run(session, now=at(1, "11:30"))

    summaries = [(t, body) for _, t, body in client_texts(session) if "summary" in (t or "")]
    assert summaries == [
        (
            "vet.coordination.treatment_summary_doxorubicin",
            "Biscuit had doxorubicin today. Next visit: Tue Dec 8 at 9:00 AM. Watch the leg.",
        )
    ]


def test_a_crash_mid_run_loses_nothing_and_repeats_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        clinic = make_clinic(session)
        for hhmm in ("09:00", "11:00", "14:00"):  # three visits on Thursday: three reminders
            book(session, clinic, at(3, hhmm))
        session.commit()

    import assistant.outreach.scheduler as scheduler_module

    real_record = scheduler_module.record
    calls = {"n": 0}

    def crash_on_second(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scheduler_module, "record", crash_on_second)
    with sessions() as session, pytest.raises(Killed):
        scheduler().run(session, now=at(1, "08:00"))
    monkeypatch.setattr(scheduler_module, "record", real_record)

    with sessions() as session:  # the restarted process
        assert len(client_texts(session)) == 1
        scheduler().run(session, now=at(1, "08:05"))
        scheduler().run(session, now=at(1, "08:10"))
        keys = outreach_keys(session)
        assert len(keys) == len(set(keys)) == 3
        assert len(client_texts(session)) == 3
        linked = session.scalars(select(OutboxMessage.outreach_id)).all()
        assert sorted(linked) == sorted(session.scalars(select(Outreach.id)).all())


def test_two_processes_running_at_once_send_each_message_once(postgres_engine: Engine) -> None:
    sessions = make_session_factory(postgres_engine)
    with sessions() as session:
        clinic = make_clinic(session)
        for day, hhmm in [(d, h) for d in (3, 4) for h in ("09:00", "11:00", "14:00")]:
            book(session, clinic, at(day, hhmm))
        session.commit()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            with sessions() as session:
                for minute in range(3):
                    roomy = scheduler(limits=OutreachLimits(per_day=10, per_week=10))
                    roomy.run(session, now=at(2, "08:00") + timedelta(minutes=minute))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with sessions() as session:
        keys = outreach_keys(session)
        assert len(keys) == len(set(keys))
        queued = session.scalars(select(Outreach.key).where(Outreach.status == "queued")).all()
        # Thursday's 1-day and Friday's 2-day reminders: six visits, one text each.
        assert len(queued) == 6
        assert len(client_texts(session)) == 6


def test_a_broken_rule_does_not_stop_the_others(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))

    def broken(*args: object) -> list[object]:
        raise ValueError("a bug in one rule")

    report = scheduler(rules=(broken, previsit_reminders)).run(session, now=at(1, "09:00"))

    assert report.queued == 1


def test_a_staff_alert_found_at_night_is_shown_at_once_and_texted_in_the_morning(
    session: Session,
) -> None:
    clinic = make_clinic(session)
    clinic.chemo.needs_labs = True
    book(session, clinic, at(3, "07:00"))  # its lab check starts at 7 am the day before...
    session.commit()

    scheduler().run(session, now=at(2, "07:30"))  # ...which is before sending hours

    assert session.scalars(select(StaffAlert)).one().rule == "labs_missing"
    page = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).one()
    assert page.next_attempt_at == at(2, "08:00")


def test_an_alert_resolves_itself_once_the_cbc_is_recorded(session: Session) -> None:
    clinic = make_clinic(session)
    clinic.chemo.needs_labs = True
    book(session, clinic, at(3, "09:00"))
    outreach = scheduler()
    outreach.run(session, now=at(2, "10:00"))
    alert = session.scalars(select(StaffAlert)).one()
    assert outreach.run(session, now=at(2, "10:05")).resolved == 0  # still missing

    session.add(
        LabResult(
            practice_id=clinic.practice_id,
            patient_id=clinic.patient.id,
            test_code="cbc",
            collected_at=at(2, "11:00"),
        )
    )
    session.commit()
    report = outreach.run(session, now=at(2, "11:30"))

    session.refresh(alert)
    assert report.resolved == 1
    assert alert.resolved_at == at(2, "11:30") and alert.resolved_by_id is None

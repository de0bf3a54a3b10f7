"""What the surgical coordination rules say is due, at fixed moments (Chicago practice), and
one run of the real outreach scheduler over them."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.coordination.surgical import (
    SURGICAL_RULES,
    authorization_approved_messages,
    authorization_pending_alerts,
    pathology_alerts,
    postop_followup_alerts,
    preop_fasting_instructions,
    preop_missing_alerts,
    preop_tests_reminders,
    referral_messages,
)
from assistant.coordination.surgical_cases import (
    cancel_case,
    mark_item_done,
    mark_surgery_done,
    record_adjuvant,
    record_pathology,
    set_authorization,
)
from assistant.db.models import (
    Appointment,
    AppointmentType,
    Message,
    OutboxMessage,
    Outreach,
    Practice,
    StaffAlert,
    SurgicalCase,
)
from assistant.outreach.caps import OutreachLimits
from assistant.outreach.due import ClientMessage, Due, StaffNotice
from assistant.outreach.scheduler import OutreachScheduler, Rule
from assistant.templates import TemplateRegistry
from assistant.templates.registry import content_sha256
from tests.assistant.coordination.test_surgical_cases import (
    OPENED,
    SURGERY,
    SurgicalClinic,
    add_surgical_clinic,
    local,
    open_test_case,
)
from tests.conftest import add_practice

# The surgery is Tuesday 15 December 2026 at 9 am in Chicago.
SURGERY_LABEL = "Tue Dec 15 at 9:00 AM"


def _due(session: Session, rule: Rule, practice: Practice, now: datetime) -> list[Due]:
    return list(rule(session, practice, now))


def _keys(session: Session, rule: Rule, practice: Practice, now: datetime) -> list[str]:
    return [item.key for item in _due(session, rule, practice, now)]


def _message(session: Session, rule: Rule, practice: Practice, now: datetime) -> ClientMessage:
    (item,) = _due(session, rule, practice, now)
    assert isinstance(item, ClientMessage)
    return item


def _notice(session: Session, rule: Rule, practice: Practice, now: datetime) -> StaffNotice:
    (item,) = _due(session, rule, practice, now)
    assert isinstance(item, StaffNotice)
    return item


@pytest.fixture
def clinic(session: Session) -> SurgicalClinic:
    return add_surgical_clinic(session)


@pytest.fixture
def case(session: Session, clinic: SurgicalClinic) -> SurgicalCase:
    """CASE-1001, Medicare (tests valid 30 days), labs and an EKG needed, nothing done yet."""
    return open_test_case(session, clinic)


def _done(session: Session, case: SurgicalCase, code: str, done_at: datetime) -> None:
    mark_item_done(session, case=case, code=code, done_at=done_at, staff_id=None)


# --- pre-op tests reminder to the patient --------------------------------------------------


def test_no_tests_reminder_15_days_before(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    assert _due(session, preop_tests_reminders, clinic.practice, local(2026, 11, 30, 12)) == []
    assert _due(session, preop_tests_reminders, clinic.practice, local(2026, 11, 30, 23, 59)) == []


def test_tests_reminder_all_day_14_days_before(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    for now in (local(2026, 12, 1), local(2026, 12, 1, 23, 59)):
        item = _message(session, preop_tests_reminders, clinic.practice, now)

        assert item.key == f"preop-tests-d14-case-{case.id}"
        assert item.rule == "preop_tests"
        assert item.template_keys == ("coordination.preop_tests",)
        assert item.values == {
            "surgery_date": SURGERY_LABEL,
            "missing_tests": "Labs (CBC and BMP), EKG",
        }
        assert item.expires_at == local(2026, 12, 2)
        assert item.patient_id == clinic.patient.id and item.surgical_case_id == case.id
        assert item.reminder is True


def test_the_day_14_reminder_expires_and_is_then_dropped(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    # The next day it is still described (the scheduler records it as expired), then not.
    item = _message(session, preop_tests_reminders, clinic.practice, local(2026, 12, 2, 10))
    assert item.key == f"preop-tests-d14-case-{case.id}"
    assert item.expires_at <= local(2026, 12, 2, 10)

    assert _due(session, preop_tests_reminders, clinic.practice, local(2026, 12, 3, 10)) == []


def test_tests_reminder_7_days_before_names_only_what_is_missing(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "labs", local(2026, 12, 4, 9))

    item = _message(session, preop_tests_reminders, clinic.practice, local(2026, 12, 8, 9))

    assert item.key == f"preop-tests-d7-case-{case.id}"
    assert item.values["missing_tests"] == "EKG"
    assert item.expires_at == local(2026, 12, 9)


def test_a_40_day_old_ekg_is_missing_for_a_30_day_payer(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "labs", local(2026, 11, 28, 9))
    _done(session, case, "ekg", SURGERY - timedelta(days=40))

    item = _message(session, preop_tests_reminders, clinic.practice, local(2026, 12, 1, 9))

    assert item.values["missing_tests"] == "EKG"


def test_no_tests_reminder_when_every_test_is_done(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "labs", local(2026, 11, 28, 9))
    _done(session, case, "ekg", local(2026, 11, 28, 9))

    assert _due(session, preop_tests_reminders, clinic.practice, local(2026, 12, 1, 9)) == []


def test_a_reminder_day_that_passed_before_the_case_was_opened_is_skipped(
    session: Session, clinic: SurgicalClinic
) -> None:
    case = open_test_case(session, clinic, now=local(2026, 12, 2, 9))

    assert _due(session, preop_tests_reminders, clinic.practice, local(2026, 12, 2, 10)) == []
    assert _keys(session, preop_tests_reminders, clinic.practice, local(2026, 12, 8, 10)) == [
        f"preop-tests-d7-case-{case.id}"
    ]


# --- missing tests alert to staff ----------------------------------------------------------


def test_missing_tests_alert_from_5_days_before(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "or_slot_booked", OPENED)
    assert _due(session, preop_missing_alerts, clinic.practice, local(2026, 12, 9, 23, 59)) == []

    notice = _notice(session, preop_missing_alerts, clinic.practice, local(2026, 12, 10))

    assert notice.key == f"preop-missing-case-{case.id}"
    assert notice.rule == "preop_missing"
    assert notice.staff_ids == (clinic.surgeon.id, clinic.nurse.id)
    assert "Linda Chen" in notice.text and "CASE-1001" in notice.text
    assert "Labs (CBC and BMP), EKG" in notice.text
    assert "Facility confirmed" in notice.text and "OR slot booked" not in notice.text
    # Still the same alert on the days after: the scheduler raises it once.
    assert _keys(session, preop_missing_alerts, clinic.practice, local(2026, 12, 14, 20)) == [
        notice.key
    ]


def test_missing_tests_alert_says_which_result_is_too_old(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "labs", local(2026, 12, 8, 9))
    _done(session, case, "ekg", SURGERY - timedelta(days=40))

    notice = _notice(session, preop_missing_alerts, clinic.practice, local(2026, 12, 11, 9))

    assert "EKG (result too old)" in notice.text
    assert "Labs" not in notice.text


def test_no_missing_tests_alert_when_tests_are_done(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _done(session, case, "labs", local(2026, 12, 8, 9))
    _done(session, case, "ekg", local(2026, 12, 8, 9))

    assert _due(session, preop_missing_alerts, clinic.practice, local(2026, 12, 11, 9)) == []


# --- fasting instructions ------------------------------------------------------------------


def test_fasting_instructions_the_local_day_before(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    assert (
        _due(session, preop_fasting_instructions, clinic.practice, local(2026, 12, 13, 23, 59))
        == []
    )

    item = _message(session, preop_fasting_instructions, clinic.practice, local(2026, 12, 14))

    assert item.key == f"preop-fasting-case-{case.id}"
    assert item.rule == "preop_fasting"
    assert item.template_keys == ("coordination.preop_fasting",)
    assert item.values == {"surgery_date": SURGERY_LABEL}
    assert item.expires_at == SURGERY


def test_fasting_instructions_are_dropped_a_day_after_the_surgery(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    assert (
        _due(session, preop_fasting_instructions, clinic.practice, SURGERY + timedelta(days=1))
        == []
    )


# --- authorization -------------------------------------------------------------------------


def test_pending_authorization_reminder_every_48_hours(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    requested = local(2026, 11, 12, 15, 30)
    set_authorization(session, case=case, status="pending", now=requested)
    _done(session, case, "imaging", requested)
    rule = authorization_pending_alerts

    assert _due(session, rule, clinic.practice, requested + timedelta(hours=47, minutes=59)) == []
    first = _notice(session, rule, clinic.practice, requested + timedelta(hours=48))
    assert first.key == f"auth-pending-case-{case.id}-1"
    assert _keys(session, rule, clinic.practice, requested + timedelta(hours=95)) == [first.key]
    second = _notice(session, rule, clinic.practice, requested + timedelta(hours=96))

    assert second.key == f"auth-pending-case-{case.id}-2"
    assert second.rule == "authorization_pending"
    assert set(second.staff_ids) == {clinic.nurse.id, clinic.billing.id}
    assert "Pathology report, Consult note" in second.text and "Imaging" not in second.text
    assert "CASE-1001" in second.text and "Medicare" in second.text
    assert "pending for 4 days" in second.text


def test_no_authorization_reminder_once_decided(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    requested = local(2026, 11, 12, 15)
    set_authorization(session, case=case, status="pending", now=requested)
    set_authorization(session, case=case, status="denied", now=requested + timedelta(hours=50))

    assert (
        _due(session, authorization_pending_alerts, clinic.practice, requested + timedelta(days=5))
        == []
    )


def test_approved_authorization_tells_the_patient(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    decided = local(2026, 11, 20, 11)
    set_authorization(session, case=case, status="pending", now=local(2026, 11, 12, 15))
    set_authorization(session, case=case, status="approved", now=decided)

    assert (
        _due(
            session,
            authorization_approved_messages,
            clinic.practice,
            decided - timedelta(minutes=1),
        )
        == []
    )
    item = _message(session, authorization_approved_messages, clinic.practice, decided)

    assert item.key == f"auth-approved-case-{case.id}"
    assert item.rule == "authorization_approved"
    assert item.reminder is False
    assert item.template_keys == ("coordination.authorization_approved",)
    assert item.values == {"surgery_date": SURGERY_LABEL}
    assert item.expires_at == decided + timedelta(days=7)
    assert (
        _due(session, authorization_approved_messages, clinic.practice, decided + timedelta(days=9))
        == []
    )


def test_approval_news_never_goes_after_the_surgery(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    decided = SURGERY - timedelta(days=2)
    set_authorization(session, case=case, status="approved", now=decided)

    item = _message(session, authorization_approved_messages, clinic.practice, SURGERY)

    # Due again after the surgery only to be recorded as expired; then no more.
    assert item.expires_at == SURGERY
    assert (
        _due(session, authorization_approved_messages, clinic.practice, SURGERY + timedelta(days=2))
        == []
    )


# --- post-op follow-up ---------------------------------------------------------------------


def _visit(session: Session, clinic: SurgicalClinic, starts_at: datetime, status: str) -> None:
    kind = AppointmentType(
        practice_id=clinic.practice.id,
        code=f"postop-{status}",
        name="Post-op visit",
        duration_minutes=30,
        clinician_roles=["surgeon"],
    )
    session.add(kind)
    session.flush()
    session.add(
        Appointment(
            practice_id=clinic.practice.id,
            patient_id=clinic.patient.id,
            appointment_type_id=kind.id,
            clinician_id=clinic.surgeon.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            status=status,
        )
    )
    session.flush()


def test_postop_followup_alert_without_a_visit_after_surgery(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    # A visit before the surgery, and a cancelled one after it, do not count.
    _visit(session, clinic, SURGERY - timedelta(days=20), "completed")
    _visit(session, clinic, SURGERY + timedelta(days=14), "cancelled")
    rule = postop_followup_alerts

    assert _due(session, rule, clinic.practice, SURGERY - timedelta(minutes=1)) == []
    notice = _notice(session, rule, clinic.practice, SURGERY)
    mark_surgery_done(session, case=case, now=SURGERY + timedelta(hours=3))

    assert notice.key == f"postop-followup-case-{case.id}"
    assert notice.rule == "postop_followup"
    assert notice.text == (
        "Book the post-op follow-up for Linda Chen (case CASE-1001, Partial mastectomy) "
        "before discharge."
    )
    assert notice.staff_ids == (clinic.nurse.id,)
    assert _keys(session, rule, clinic.practice, SURGERY + timedelta(days=29)) == [notice.key]
    assert _due(session, rule, clinic.practice, SURGERY + timedelta(days=31)) == []


def test_no_postop_alert_with_a_followup_booked(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    _visit(session, clinic, SURGERY + timedelta(days=14), "booked")

    assert (
        _due(session, postop_followup_alerts, clinic.practice, SURGERY + timedelta(hours=4)) == []
    )


# --- pathology -----------------------------------------------------------------------------


def test_pathology_overdue_after_the_expected_day(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    mark_surgery_done(session, case=case, now=SURGERY + timedelta(hours=3))
    assert case.pathology_expected_on == date(2026, 12, 22)

    assert _due(session, pathology_alerts, clinic.practice, local(2026, 12, 22, 23, 59)) == []
    notice = _notice(session, pathology_alerts, clinic.practice, local(2026, 12, 23))

    assert notice.key == f"pathology-overdue-case-{case.id}"
    assert notice.rule == "pathology_overdue"
    assert notice.staff_ids == (clinic.surgeon.id, clinic.nurse.id)
    assert "Tue Dec 22" in notice.text


def test_pathology_not_passed_on_2_days_after_it_arrived(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase
) -> None:
    arrived = local(2026, 12, 21, 14)
    record_pathology(session, case=case, received_at=arrived)
    rule = pathology_alerts

    assert _due(session, rule, clinic.practice, arrived + timedelta(hours=47)) == []
    notice = _notice(session, rule, clinic.practice, arrived + timedelta(days=2))

    assert notice.key == f"pathology-not-passed-on-case-{case.id}"
    assert notice.rule == "pathology_not_passed_on"
    assert notice.staff_ids == (clinic.surgeon.id,)

    record_pathology(session, case=case, passed_on_at=arrived + timedelta(days=3))
    assert _due(session, rule, clinic.practice, arrived + timedelta(days=4)) == []


# --- referral on ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["medical", "radiation"])
def test_referral_message_by_kind(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase, kind: str
) -> None:
    recorded = SURGERY + timedelta(days=10)
    record_adjuvant(session, case=case, kind=kind, now=recorded)

    assert _due(session, referral_messages, clinic.practice, recorded - timedelta(minutes=1)) == []
    item = _message(session, referral_messages, clinic.practice, recorded)

    assert item.key == f"referral-{kind}-case-{case.id}"
    assert item.rule == "referral"
    assert item.reminder is False
    assert item.template_keys == (f"coordination.referral_{kind}",)
    assert item.values == {"clinician_name": "Dr. Amara Okafor"}
    assert item.expires_at == recorded + timedelta(days=14)
    assert _due(session, referral_messages, clinic.practice, recorded + timedelta(days=16)) == []


def test_referral_without_a_surgeon_names_your_surgeon(
    session: Session, clinic: SurgicalClinic
) -> None:
    case = open_test_case(session, clinic, surgeon=False)
    record_adjuvant(session, case=case, kind="medical", now=SURGERY + timedelta(days=10))

    item = _message(session, referral_messages, clinic.practice, SURGERY + timedelta(days=10))

    assert item.values == {"clinician_name": "Your surgeon"}


# --- nothing for a cancelled case or another kind of practice -------------------------------

# Moments at which the case below has something due under every rule but a cancellation.
BUSY_MOMENTS = [
    local(2026, 12, 1, 9),
    local(2026, 12, 10, 9),
    local(2026, 12, 14, 9),
    SURGERY + timedelta(days=1),
    local(2026, 12, 23, 9),
    SURGERY + timedelta(days=10, hours=1),
]


def _busy_case(session: Session, clinic: SurgicalClinic) -> SurgicalCase:
    case = open_test_case(session, clinic)
    set_authorization(session, case=case, status="pending", now=OPENED)
    return case


def _all_due(session: Session, practice: Practice) -> list[str]:
    return [
        item.key
        for now in BUSY_MOMENTS
        for rule in SURGICAL_RULES
        for item in rule(session, practice, now)
    ]


def test_the_busy_case_has_something_due(session: Session, clinic: SurgicalClinic) -> None:
    case = _busy_case(session, clinic)
    record_adjuvant(session, case=case, kind="medical", now=SURGERY + timedelta(days=10))

    keys = _all_due(session, clinic.practice)

    for prefix in (
        "preop-tests",
        "preop-missing",
        "preop-fasting",
        "auth-pending",
        "postop",
        "pathology-overdue",
        "referral",
    ):
        assert any(key.startswith(prefix) for key in keys), prefix


def test_a_cancelled_case_yields_nothing(session: Session, clinic: SurgicalClinic) -> None:
    case = _busy_case(session, clinic)
    record_adjuvant(session, case=case, kind="medical", now=SURGERY + timedelta(days=10))
    record_pathology(session, case=case, received_at=SURGERY + timedelta(days=2))
    cancel_case(session, case=case, now=OPENED + timedelta(days=1))

    assert _all_due(session, clinic.practice) == []


def test_veterinary_practices_have_no_surgical_rules(session: Session) -> None:
    practice = add_practice(session, kind="veterinary")

    assert all(
        _due(session, rule, practice, now) == [] for rule in SURGICAL_RULES for now in BUSY_MOMENTS
    )


# --- the real scheduler --------------------------------------------------------------------

TEXTS = {
    "human.coordination.preop_tests": "Before surgery on {surgery_date} we need: {missing_tests}.",
    "human.coordination.preop_fasting": "Surgery {surgery_date}: nothing to eat after midnight.",
    "human.coordination.authorization_approved": "Approved: surgery {surgery_date}.",
    "human.coordination.referral_medical": "{clinician_name} refers you to medical oncology.",
    "human.coordination.referral_radiation": "{clinician_name} refers you to radiation.",
}


def _registry(directory: Path) -> TemplateRegistry:
    """Approved stand-ins for the coordination templates, so this test does not depend on
    the practice's wording."""
    entries = [
        {
            "id": template_id,
            "kind": "human",
            "version": 1,
            "text": text,
            "source": "test",
            "approval": {
                "by": "Dr. Test",
                "at": "2026-11-27",
                "sha256": content_sha256(text, None),
            },
        }
        for template_id, text in TEXTS.items()
    ]
    (directory / "human").mkdir()
    (directory / "human" / "coordination.yml").write_text(yaml.safe_dump({"templates": entries}))
    return TemplateRegistry.load(directory)


def test_scheduler_sends_each_reminder_and_alert_once(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase, tmp_path: Path
) -> None:
    requested = local(2026, 11, 29, 9)
    set_authorization(session, case=case, status="pending", now=requested)
    session.commit()
    scheduler = OutreachScheduler(
        registry=_registry(tmp_path),
        rules=SURGICAL_RULES,
        limits=OutreachLimits(),
        coordination_url="http://test/coordination",
    )
    now = local(2026, 12, 1, 10)  # day 14 before surgery; authorization pending for 49 hours

    report = scheduler.run(session, now=now)

    assert (report.queued, report.alerts) == (1, 1)
    outreach = session.scalars(select(Outreach)).one()
    assert outreach.key == f"preop-tests-d14-case-{case.id}:contact-{clinic.contact.id}"
    assert (outreach.rule, outreach.status) == ("preop_tests", "queued")
    assert outreach.template_id == "human.coordination.preop_tests"
    assert outreach.surgical_case_id == case.id
    sms = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "proactive")).one()
    assert sms.to_number == clinic.contact.phone
    assert sms.body == f"Before surgery on {SURGERY_LABEL} we need: Labs (CBC and BMP), EKG."
    assert sms.outreach_id == outreach.id
    assert session.scalar(select(func.count()).select_from(Message)) == 1
    alert = session.scalars(select(StaffAlert)).one()
    assert alert.key == f"auth-pending-case-{case.id}-1"
    assert alert.surgical_case_id == case.id
    pages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).all()
    assert sorted(p.to_number for p in pages) == sorted([clinic.nurse.phone, clinic.billing.phone])
    assert all("Linda" not in p.body for p in pages)  # nothing about the patient on a lock screen

    again = scheduler.run(session, now=now + timedelta(minutes=5))

    assert (again.queued, again.alerts, again.expired) == (0, 0, 0)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    assert session.scalar(select(func.count()).select_from(Outreach)) == 1
    assert session.scalar(select(func.count()).select_from(StaffAlert)) == 1


def test_scheduler_records_a_missed_day_as_expired(
    session: Session, clinic: SurgicalClinic, case: SurgicalCase, tmp_path: Path
) -> None:
    session.commit()
    scheduler = OutreachScheduler(
        registry=_registry(tmp_path),
        rules=(preop_tests_reminders,),
        limits=OutreachLimits(),
        coordination_url="http://test/coordination",
    )

    # The scheduler did not run on day 14 (down all day); the next morning it is too late.
    report = scheduler.run(session, now=local(2026, 12, 2, 9))

    assert (report.queued, report.expired) == (0, 1)
    outreach = session.scalars(select(Outreach)).one()
    assert (outreach.key, outreach.status) == (
        f"preop-tests-d14-case-{case.id}:contact-{clinic.contact.id}",
        "expired",
    )
    assert session.scalars(select(OutboxMessage)).first() is None

"""Coordination rules for surgical cases: what patients and staff are to be told at `now`
about each operation (pre-op tests, fasting, the payer's authorization, the follow-up visit,
pathology and the referral on).

Rules only read: each describes what is due with a key unique forever, and
`assistant.outreach.scheduler` sends it once. They apply to surgical (human) practices, and
never to a cancelled case.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from assistant.coordination.surgical_cases import missing_items
from assistant.db.models import Appointment, Patient, Practice, StaffUser, SurgicalCase
from assistant.outreach.due import ClientMessage, Due, StaffNotice
from assistant.outreach.scheduler import Rule
from assistant.scheduling.client_requests import visit_time_label

# Days before the surgery's local date the patient is reminded of missing pre-op tests.
PREOP_REMINDER_DAYS = (14, 7)
# From this many days before the surgery, a missing test is the staff's problem.
PREOP_STAFF_DAYS = 5
AUTH_REMINDER_EVERY = timedelta(hours=48)
AUTH_APPROVED_VALID_FOR = timedelta(days=7)
POSTOP_FOLLOWUP_WITHIN = timedelta(days=30)
PATHOLOGY_PASS_ON_WITHIN = timedelta(days=2)
REFERRAL_VALID_FOR = timedelta(days=14)
# A message past its moment is still described for a day, so the scheduler records it as
# expired for the coordination page instead of it silently disappearing.
EXPIRED_SHOWN_FOR = timedelta(days=1)
LIVE_STATUSES = ("scheduled", "done")


def preop_tests_reminders(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """14 and 7 days before the surgery's local date, the tests still missing, to the patient;
    due all that day."""
    if practice.kind != "human":
        return
    zone = ZoneInfo(practice.timezone)
    horizon = now + timedelta(days=max(PREOP_REMINDER_DAYS) + 2)
    query = _cases(practice, ("scheduled",)).where(
        SurgicalCase.surgery_at > now, SurgicalCase.surgery_at <= horizon
    )
    for case, _patient in session.execute(query):
        missing = missing_items(case, now=now, kind="test")
        if not missing:
            continue
        surgery_day = case.surgery_at.astimezone(zone).date()
        for days in PREOP_REMINDER_DAYS:
            due_at = _local_midnight(surgery_day - timedelta(days=days), zone)
            expires_at = _local_midnight(surgery_day - timedelta(days=days - 1), zone)
            if not _describe(case, due_at=due_at, expires_at=expires_at, now=now):
                continue
            yield ClientMessage(
                key=f"preop-tests-d{days}-case-{case.id}",
                rule="preop_tests",
                practice_id=practice.id,
                patient_id=case.patient_id,
                template_keys=("coordination.preop_tests",),
                values={
                    "surgery_date": visit_time_label(case.surgery_at, zone),
                    "missing_tests": ", ".join(item.label for item in missing),
                },
                expires_at=expires_at,
                surgical_case_id=case.id,
            )


def preop_missing_alerts(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """From 5 days before the surgery's local date, a test still missing is an alert to the
    surgeon and the nurses, with the staff tasks not yet done."""
    if practice.kind != "human":
        return
    zone = ZoneInfo(practice.timezone)
    horizon = now + timedelta(days=PREOP_STAFF_DAYS + 2)
    query = _cases(practice, ("scheduled",)).where(
        SurgicalCase.surgery_at > now, SurgicalCase.surgery_at <= horizon
    )
    today = now.astimezone(zone).date()
    nurses = _active_staff(session, practice, ("nurse",))
    for case, patient in session.execute(query):
        surgery_day = case.surgery_at.astimezone(zone).date()
        if (surgery_day - today).days > PREOP_STAFF_DAYS:
            continue
        tests = missing_items(case, now=now, kind="test")
        if not tests:
            continue
        tasks = missing_items(case, now=now, kind="task")
        test_labels = ", ".join(
            f"{item.label} (result too old)" if item.done_at is not None else item.label
            for item in tests
        )
        task_text = (
            f"Staff tasks not done: {', '.join(item.label for item in tasks)}."
            if tasks
            else "All staff tasks are done."
        )
        yield StaffNotice(
            key=f"preop-missing-case-{case.id}",
            rule="preop_missing",
            practice_id=practice.id,
            patient_id=patient.id,
            text=(
                f"Pre-op tests missing for {patient.name}, case {case.ref} ({case.procedure}) "
                f"on {visit_time_label(case.surgery_at, zone)}: {test_labels}. {task_text}"
            ),
            staff_ids=_with_surgeon(session, case, nurses),
            surgical_case_id=case.id,
        )


def preop_fasting_instructions(
    session: Session, practice: Practice, now: datetime
) -> Iterator[Due]:
    """The fasting instructions, to the patient on the local day before the surgery."""
    if practice.kind != "human":
        return
    zone = ZoneInfo(practice.timezone)
    query = _cases(practice, ("scheduled",)).where(
        SurgicalCase.surgery_at > now - EXPIRED_SHOWN_FOR,
        SurgicalCase.surgery_at <= now + timedelta(days=3),
    )
    for case, _patient in session.execute(query):
        surgery_day = case.surgery_at.astimezone(zone).date()
        due_at = _local_midnight(surgery_day - timedelta(days=1), zone)
        if not _describe(case, due_at=due_at, expires_at=case.surgery_at, now=now):
            continue
        yield ClientMessage(
            key=f"preop-fasting-case-{case.id}",
            rule="preop_fasting",
            practice_id=practice.id,
            patient_id=case.patient_id,
            template_keys=("coordination.preop_fasting",),
            values={"surgery_date": visit_time_label(case.surgery_at, zone)},
            expires_at=case.surgery_at,
            surgical_case_id=case.id,
        )


def authorization_pending_alerts(
    session: Session, practice: Practice, now: datetime
) -> Iterator[Due]:
    """Every 48 hours an authorization stays pending, a reminder to billing and the nurses
    with the documents the payer still needs (only the latest one is due)."""
    if practice.kind != "human":
        return
    query = _cases(practice, ("scheduled",)).where(SurgicalCase.authorization_status == "pending")
    staff_ids = _active_staff(session, practice, ("billing", "nurse"))
    for case, patient in session.execute(query):
        requested_at = case.authorization_requested_at
        if requested_at is None:
            continue
        periods = (now - requested_at) // AUTH_REMINDER_EVERY
        if periods < 1:
            continue
        documents = missing_items(case, now=now, kind="document")
        document_text = (
            f"Documents still missing: {', '.join(item.label for item in documents)}."
            if documents
            else "All documents are in; ask the payer for a decision."
        )
        waited = periods * AUTH_REMINDER_EVERY
        yield StaffNotice(
            key=f"auth-pending-case-{case.id}-{periods}",
            rule="authorization_pending",
            practice_id=practice.id,
            patient_id=patient.id,
            text=(
                f"Authorization for {patient.name}, case {case.ref} ({case.procedure}, "
                f"payer {case.payer_name or 'not given'}) pending for {waited.days} days. "
                f"{document_text}"
            ),
            staff_ids=staff_ids,
            surgical_case_id=case.id,
        )


def authorization_approved_messages(
    session: Session, practice: Practice, now: datetime
) -> Iterator[Due]:
    """The payer approved: the patient is told, within 7 days and before the surgery."""
    if practice.kind != "human":
        return
    zone = ZoneInfo(practice.timezone)
    query = _cases(practice, ("scheduled",)).where(
        SurgicalCase.authorization_status == "approved",
        SurgicalCase.authorization_decided_at > now - AUTH_APPROVED_VALID_FOR - EXPIRED_SHOWN_FOR,
    )
    for case, _patient in session.execute(query):
        due_at = case.authorization_decided_at
        if due_at is None:
            continue
        # After the surgery the news is pointless: it expires then at the latest.
        expires_at = min(due_at + AUTH_APPROVED_VALID_FOR, case.surgery_at)
        if not _describe(case, due_at=due_at, expires_at=expires_at, now=now):
            continue
        yield ClientMessage(
            key=f"auth-approved-case-{case.id}",
            rule="authorization_approved",
            practice_id=practice.id,
            patient_id=case.patient_id,
            template_keys=("coordination.authorization_approved",),
            values={"surgery_date": visit_time_label(case.surgery_at, zone)},
            expires_at=expires_at,
            reminder=False,
            surgical_case_id=case.id,
        )


def postop_followup_alerts(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """Once the surgery time has come, and for 30 days, an alert to the nurses while the
    patient has no visit booked after the surgery."""
    if practice.kind != "human":
        return
    query = _cases(practice, LIVE_STATUSES).where(
        SurgicalCase.surgery_at <= now,
        SurgicalCase.surgery_at > now - POSTOP_FOLLOWUP_WITHIN,
    )
    nurses = _active_staff(session, practice, ("nurse",))
    for case, patient in session.execute(query):
        if _has_visit_after(session, case):
            continue
        yield StaffNotice(
            key=f"postop-followup-case-{case.id}",
            rule="postop_followup",
            practice_id=practice.id,
            patient_id=patient.id,
            text=(
                f"Book the post-op follow-up for {patient.name} (case {case.ref}, "
                f"{case.procedure}) before discharge."
            ),
            staff_ids=nurses,
            surgical_case_id=case.id,
        )


def pathology_alerts(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """Pathology not in after its expected date (to the surgeon and the nurses), or in for
    2 days and not yet passed on to the patient (to the surgeon)."""
    if practice.kind != "human":
        return
    zone = ZoneInfo(practice.timezone)
    today = now.astimezone(zone).date()
    query = _cases(practice, LIVE_STATUSES).where(SurgicalCase.pathology_passed_on_at.is_(None))
    nurses = _active_staff(session, practice, ("nurse",))
    for case, patient in session.execute(query):
        received_at = case.pathology_received_at
        expected_on = case.pathology_expected_on
        if received_at is None and expected_on is not None and today > expected_on:
            yield StaffNotice(
                key=f"pathology-overdue-case-{case.id}",
                rule="pathology_overdue",
                practice_id=practice.id,
                patient_id=patient.id,
                text=(
                    f"Pathology for {patient.name} (case {case.ref}, {case.procedure}) was "
                    f"expected on {_day_label(expected_on)} and has not arrived: ask the lab."
                ),
                staff_ids=_with_surgeon(session, case, nurses),
                surgical_case_id=case.id,
            )
        elif received_at is not None and now >= received_at + PATHOLOGY_PASS_ON_WITHIN:
            # Without a surgeon on the case, the nurses are told so someone is.
            surgeon = _with_surgeon(session, case, ())
            yield StaffNotice(
                key=f"pathology-not-passed-on-case-{case.id}",
                rule="pathology_not_passed_on",
                practice_id=practice.id,
                patient_id=patient.id,
                text=(
                    f"Pathology for {patient.name} (case {case.ref}, {case.procedure}) arrived "
                    f"{visit_time_label(received_at, zone)} and has not been passed on to the "
                    f"patient."
                ),
                staff_ids=surgeon or nurses,
                surgical_case_id=case.id,
            )


def referral_messages(session: Session, practice: Practice, now: datetime) -> Iterator[Due]:
    """Once staff record adjuvant therapy, the patient is told of the referral, within 14
    days."""
    if practice.kind != "human":
        return
    query = _cases(practice, LIVE_STATUSES).where(
        SurgicalCase.adjuvant_recorded_at > now - REFERRAL_VALID_FOR - EXPIRED_SHOWN_FOR,
    )
    for case, _patient in session.execute(query):
        kind, recorded_at = case.adjuvant_therapy, case.adjuvant_recorded_at
        if kind is None or recorded_at is None:
            continue
        expires_at = recorded_at + REFERRAL_VALID_FOR
        if not _describe(case, due_at=recorded_at, expires_at=expires_at, now=now):
            continue
        surgeon = session.get(StaffUser, case.surgeon_id) if case.surgeon_id else None
        yield ClientMessage(
            key=f"referral-{kind}-case-{case.id}",
            rule="referral",
            practice_id=practice.id,
            patient_id=case.patient_id,
            template_keys=(f"coordination.referral_{kind}",),
            values={"clinician_name": surgeon.name if surgeon else "Your surgeon"},
            expires_at=expires_at,
            reminder=False,
            surgical_case_id=case.id,
        )


# Messages to patients first: within one run they take a contact's daily allowance in this
# order, and the day-bound pre-op messages cannot wait for tomorrow.
SURGICAL_RULES: tuple[Rule, ...] = (
    preop_fasting_instructions,
    preop_tests_reminders,
    authorization_approved_messages,
    referral_messages,
    preop_missing_alerts,
    authorization_pending_alerts,
    postop_followup_alerts,
    pathology_alerts,
)


def _cases(practice: Practice, statuses: Sequence[str]) -> Select[SurgicalCase, Patient]:
    return (
        select(SurgicalCase, Patient)
        .join(Patient, Patient.id == SurgicalCase.patient_id)
        .where(SurgicalCase.practice_id == practice.id, SurgicalCase.status.in_(statuses))
        .options(selectinload(SurgicalCase.items))
        .order_by(SurgicalCase.id)
    )


def _describe(case: SurgicalCase, *, due_at: datetime, expires_at: datetime, now: datetime) -> bool:
    """Whether a message due at `due_at` is described at `now`: from its moment until a day
    past its expiry, unless its moment had passed before the case was opened."""
    if case.created_at >= expires_at:
        return False
    return due_at <= now < expires_at + EXPIRED_SHOWN_FOR


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _day_label(day: date) -> str:
    return f"{day:%a %b} {day.day}"


def _active_staff(session: Session, practice: Practice, roles: Sequence[str]) -> tuple[int, ...]:
    return tuple(
        session.scalars(
            select(StaffUser.id)
            .where(
                StaffUser.practice_id == practice.id,
                StaffUser.role.in_(roles),
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.id)
        )
    )


def _with_surgeon(session: Session, case: SurgicalCase, others: Sequence[int]) -> tuple[int, ...]:
    """The case's surgeon (when active) first, then `others`, each once."""
    surgeon = session.get(StaffUser, case.surgeon_id) if case.surgeon_id else None
    first = (surgeon.id,) if surgeon is not None and surgeon.active else ()
    return tuple(dict.fromkeys((*first, *others)))


def _has_visit_after(session: Session, case: SurgicalCase) -> bool:
    found = session.scalars(
        select(Appointment.id).where(
            Appointment.practice_id == case.practice_id,
            Appointment.patient_id == case.patient_id,
            Appointment.status.in_(("booked", "completed")),
            Appointment.starts_at > case.surgery_at,
        )
    ).first()
    return found is not None

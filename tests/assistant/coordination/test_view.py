"""The coordination view on an injected clock: coming visits and their labs, surgical cases and
what they still need, open alerts; soonest first, one practice only."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from assistant.coordination.surgical_cases import (
    mark_item_done,
    mark_surgery_done,
    open_case,
    record_pathology,
    set_authorization,
)
from assistant.coordination.view import (
    CBC_MISSING,
    CBC_ON_FILE,
    PatientCheckpoints,
    coordination_view,
)
from assistant.db.models import (
    Appointment,
    AppointmentType,
    LabResult,
    Outreach,
    Patient,
    Practice,
    StaffAlert,
    StaffUser,
    SurgicalCase,
)
from tests.assistant.scheduling.clinic import CHICAGO, Clinic, make_clinic
from tests.conftest import add_practice


def at(day: int, hhmm: str, month: int = 12) -> datetime:
    """A 2026 day and local (Chicago) time, in UTC."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


NOW = at(1, "08:00")  # Tuesday 1 December 2026


def view(session: Session, practice_id: int, now: datetime = NOW) -> list[PatientCheckpoints]:
    return coordination_view(session, practice=session.get_one(Practice, practice_id), now=now)


def row(rows: list[PatientCheckpoints], name: str) -> PatientCheckpoints:
    return next(r for r in rows if r.name == name)


def book(
    session: Session, clinic: Clinic, starts_at: datetime, *, patient: Patient | None = None
) -> Appointment:
    clinic.chemo.needs_labs = True
    appointment = Appointment(
        practice_id=clinic.practice_id,
        patient_id=(patient or clinic.patient).id,
        appointment_type_id=clinic.chemo.id,
        clinician_id=clinic.oncologist.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status="booked",
    )
    session.add(appointment)
    session.flush()
    return appointment


def alert(session: Session, practice_id: int, patient: Patient, text: str) -> StaffAlert:
    row = StaffAlert(
        key=f"test-{patient.id}-{text}",
        practice_id=practice_id,
        rule="labs_missing",
        patient_id=patient.id,
        text=text,
        created_at=NOW - timedelta(hours=1),
    )
    session.add(row)
    session.flush()
    return row


def test_a_chemo_visit_without_a_cbc_shows_cbc_missing(session: Session) -> None:
    clinic = make_clinic(session)
    visit = book(session, clinic, at(3, "09:00"))

    [biscuit] = view(session, clinic.practice_id)

    assert (biscuit.name, biscuit.status) == ("Biscuit", "active")
    [checkpoint] = biscuit.visits
    assert (checkpoint.appointment_id, checkpoint.type_code) == (visit.id, "chemo_treatment")
    assert checkpoint.labs == CBC_MISSING
    assert checkpoint.confirmed is False
    assert biscuit.missing == ["CBC before chemo treatment on Thu Dec 3 at 9:00 AM"]


def test_a_cbc_taken_in_the_three_days_before_counts(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))
    session.add(
        LabResult(
            practice_id=clinic.practice_id,
            patient_id=clinic.patient.id,
            test_code="cbc",
            collected_at=at(1, "07:00"),
        )
    )
    session.flush()

    [biscuit] = view(session, clinic.practice_id)

    assert biscuit.visits[0].labs == CBC_ON_FILE
    assert biscuit.missing == []


def test_a_visit_that_needs_no_labs_has_no_lab_state_and_lists_its_reminders(
    session: Session,
) -> None:
    clinic = make_clinic(session)
    recheck = Appointment(
        practice_id=clinic.practice_id,
        patient_id=clinic.patient.id,
        appointment_type_id=clinic.cbc.id,
        clinician_id=clinic.nurses[0].id,
        starts_at=at(2, "10:00"),
        ends_at=at(2, "10:20"),
        status="booked",
        confirmed_at=NOW - timedelta(hours=2),
    )
    session.add(recheck)
    session.flush()
    session.add(
        Outreach(
            key=f"previsit-d1-appt-{recheck.id}:contact-1",
            practice_id=clinic.practice_id,
            rule="previsit",
            patient_id=clinic.patient.id,
            appointment_id=recheck.id,
            created_at=NOW - timedelta(hours=3),
        )
    )
    session.flush()

    [checkpoint] = view(session, clinic.practice_id)[0].visits

    assert checkpoint.labs is None
    assert checkpoint.confirmed is True
    assert [(r.rule, r.status) for r in checkpoint.reminders] == [("previsit", "queued")]


def test_visits_outside_the_window_or_not_booked_are_left_out(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(1, "07:00"))  # already started
    book(session, clinic, at(16, "09:00"))  # more than 14 days ahead
    cancelled = book(session, clinic, at(4, "09:00"))
    cancelled.status = "cancelled"
    session.flush()

    assert view(session, clinic.practice_id) == []


def test_patients_are_ordered_by_their_soonest_checkpoint(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(8, "09:00"))
    book(session, clinic, at(2, "09:00"), patient=clinic.other_patient)
    book(session, clinic, at(9, "09:00"), patient=clinic.other_patient)

    rows = view(session, clinic.practice_id)

    assert [r.name for r in rows] == ["Pepper", "Biscuit"]
    assert rows[0].next_at == at(2, "09:00")
    assert [v.starts_at for v in rows[0].visits] == [at(2, "09:00"), at(9, "09:00")]


def test_open_alerts_are_shown_and_resolved_ones_are_not(session: Session) -> None:
    clinic = make_clinic(session)
    open_alert = alert(session, clinic.practice_id, clinic.patient, "No CBC for Biscuit")
    done = alert(session, clinic.practice_id, clinic.other_patient, "No CBC for Pepper")
    done.resolved_at = NOW
    session.flush()

    [biscuit] = view(session, clinic.practice_id)

    assert biscuit.name == "Biscuit"
    assert [(a.id, a.text) for a in biscuit.alerts] == [(open_alert.id, "No CBC for Biscuit")]
    assert biscuit.next_at == open_alert.created_at


def test_a_deceased_pet_is_listed_only_with_its_open_alerts(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))
    book(session, clinic, at(3, "11:00"), patient=clinic.other_patient)
    clinic.patient.status = "deceased"
    clinic.other_patient.status = "deceased"
    alert(session, clinic.practice_id, clinic.patient, "Call the Alvarez family")
    session.flush()

    [biscuit] = view(session, clinic.practice_id)

    assert (biscuit.name, biscuit.status) == ("Biscuit", "deceased")
    assert [a.text for a in biscuit.alerts] == ["Call the Alvarez family"]
    assert (biscuit.visits, biscuit.missing) == ([], [])


def test_another_practices_patients_are_not_shown(session: Session) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))
    other = add_practice(session, kind="human")

    assert view(session, other.id) == []
    assert [r.name for r in view(session, clinic.practice_id)] == ["Biscuit"]


# --- surgical cases -------------------------------------------------------------------------


def surgical_practice(session: Session) -> tuple[Practice, Patient, StaffUser]:
    practice = add_practice(session, kind="human")
    surgeon = StaffUser(
        practice_id=practice.id,
        name="Dr. Amara Okafor",
        email="okafor@surgical.example.org",
        role="surgeon",
        phone="+13125550201",
    )
    patient = Patient(practice_id=practice.id, kind="human", name="Linda Chen")
    session.add_all([surgeon, patient])
    session.flush()
    return practice, patient, surgeon


def open_test_case(
    session: Session, practice: Practice, patient: Patient, surgeon: StaffUser
) -> SurgicalCase:
    return open_case(
        session,
        practice=practice,
        patient=patient,
        ref="CASE-1001",
        procedure="Partial mastectomy",
        surgery_at=at(10, "09:00"),
        surgeon_id=surgeon.id,
        payer_name="Medicare",  # 30-day test window; pathology, imaging and consult note
        tests=("labs", "ekg"),
        sentinel_node_mapping=False,
        now=at(10, "10:00", month=11),
    )


def test_a_surgical_case_shows_its_missing_tests_and_pending_authorization(
    session: Session,
) -> None:
    practice, patient, surgeon = surgical_practice(session)
    case = open_test_case(session, practice, patient, surgeon)
    mark_item_done(session, case=case, code="ekg", done_at=at(1, "09:00", month=10), staff_id=None)
    mark_item_done(
        session, case=case, code="imaging", done_at=at(20, "09:00", month=11), staff_id=None
    )
    for task in ("or_slot_booked", "facility_confirmed", "surgeon_confirmed"):
        mark_item_done(
            session, case=case, code=task, done_at=at(20, "09:00", month=11), staff_id=None
        )
    set_authorization(session, case=case, status="pending", now=at(20, "09:00", month=11))
    session.flush()

    [linda] = view(session, practice.id)

    [checkpoint] = linda.cases
    assert (checkpoint.ref, checkpoint.status, checkpoint.surgery_at) == (
        "CASE-1001",
        "scheduled",
        at(10, "09:00"),
    )
    assert checkpoint.tests_missing == ["Labs (CBC and BMP)"]
    assert checkpoint.tests_expired == ["EKG"]  # done more than 30 days before the surgery
    assert checkpoint.tasks_open == [
        "Anesthesia confirmed",
        "Intraoperative pathology consult requested",
    ]
    assert checkpoint.authorization == "pending"
    assert checkpoint.documents_missing == ["Pathology report", "Consult note"]
    assert checkpoint.pathology == "expected on 2026-12-17"
    assert linda.missing == [
        "CASE-1001: Labs (CBC and BMP) not done",
        "CASE-1001: EKG expired",
        "CASE-1001: Anesthesia confirmed",
        "CASE-1001: Intraoperative pathology consult requested",
        "CASE-1001: authorization pending",
        "CASE-1001: document Pathology report",
        "CASE-1001: document Consult note",
    ]
    assert linda.next_at == at(10, "09:00")


def test_after_surgery_overdue_pathology_and_an_unbooked_follow_up_are_missing(
    session: Session,
) -> None:
    practice, patient, surgeon = surgical_practice(session)
    case = open_test_case(session, practice, patient, surgeon)
    mark_surgery_done(session, case=case, now=at(10, "13:00"))
    session.flush()

    [linda] = view(session, practice.id, now=at(18, "09:00"))

    assert linda.cases[0].pathology == "overdue since 2026-12-17"
    assert linda.cases[0].follow_up_booked is False
    assert linda.missing == [
        "CASE-1001: pathology overdue since 2026-12-17",
        "CASE-1001: follow-up not booked",
    ]


def test_a_done_case_with_nothing_left_to_do_is_not_shown(session: Session) -> None:
    practice, patient, surgeon = surgical_practice(session)
    case = open_test_case(session, practice, patient, surgeon)
    mark_surgery_done(session, case=case, now=at(10, "13:00"))
    record_pathology(session, case=case, received_at=at(16, "09:00"), passed_on_at=at(16, "15:00"))
    postop = AppointmentType(
        practice_id=practice.id,
        code="postop_visit",
        name="Post-op visit",
        duration_minutes=30,
        clinician_roles=["surgeon"],
    )
    session.add(postop)
    session.flush()
    session.add(
        Appointment(
            practice_id=practice.id,
            patient_id=patient.id,
            appointment_type_id=postop.id,
            clinician_id=surgeon.id,
            starts_at=at(28, "09:00"),
            ends_at=at(28, "09:30"),
            status="booked",
        )
    )
    session.flush()

    [linda] = view(session, practice.id, now=at(17, "09:00"))

    assert [v.type_code for v in linda.visits] == ["postop_visit"]  # still coming: shown
    assert (linda.cases, linda.missing) == ([], [])


def test_a_cancelled_case_is_not_shown(session: Session) -> None:
    practice, patient, surgeon = surgical_practice(session)
    case = open_test_case(session, practice, patient, surgeon)
    case.status = "cancelled"
    session.flush()

    assert view(session, practice.id) == []

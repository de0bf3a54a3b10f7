"""Opening a surgical case, its checklist, and the staff actions on it (injected clock)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.coordination.surgical_cases import (
    RULES_FILE,
    CaseRules,
    cancel_case,
    discharge,
    item_state,
    load_case_rules,
    mark_item_done,
    mark_surgery_done,
    missing_items,
    open_case,
    record_adjuvant,
    record_pathology,
    set_authorization,
)
from assistant.db.models import (
    AuditLog,
    Contact,
    ContactPatient,
    Patient,
    Practice,
    StaffUser,
    SurgicalCase,
)
from assistant.errors import Invalid
from tests.conftest import add_practice

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Chicago wall-clock time, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


# Tuesday 15 December 2026, 9 am in Chicago; the case is opened five weeks before.
SURGERY = local(2026, 12, 15, 9)
OPENED = local(2026, 11, 10, 10)


@dataclass
class SurgicalClinic:
    practice: Practice
    patient: Patient
    contact: Contact
    surgeon: StaffUser
    nurse: StaffUser
    billing: StaffUser
    oncologist: StaffUser


def add_surgical_clinic(session: Session) -> SurgicalClinic:
    """A surgical practice in Chicago with one patient (texting for herself) and its staff."""
    practice = add_practice(session, kind="human")
    staff = {
        role: StaffUser(
            practice_id=practice.id,
            name=name,
            email=f"{role}@surgical.example.org",
            role=role,
            phone=f"+1312555020{n}",
        )
        for n, (role, name) in enumerate(
            [
                ("surgeon", "Dr. Amara Okafor"),
                ("nurse", "Nurse Jo"),
                ("billing", "Billing Bo"),
                ("oncologist", "Dr. Onco"),
            ]
        )
    }
    patient = Patient(practice_id=practice.id, kind="human", name="Linda Chen")
    contact = Contact(
        practice_id=practice.id,
        phone="+13125550300",
        first_name="Linda",
        last_name="Chen",
        consent="opted_in",
    )
    session.add_all([*staff.values(), patient, contact])
    session.flush()
    session.add(
        ContactPatient(contact_id=contact.id, patient_id=patient.id, relationship_kind="self")
    )
    session.flush()
    return SurgicalClinic(
        practice=practice,
        patient=patient,
        contact=contact,
        surgeon=staff["surgeon"],
        nurse=staff["nurse"],
        billing=staff["billing"],
        oncologist=staff["oncologist"],
    )


def open_test_case(
    session: Session,
    clinic: SurgicalClinic,
    *,
    ref: str = "CASE-1001",
    surgery_at: datetime = SURGERY,
    payer_name: str | None = "Medicare",
    tests: tuple[str, ...] = ("labs", "ekg"),
    sentinel_node_mapping: bool = False,
    surgeon: bool = True,
    now: datetime = OPENED,
) -> SurgicalCase:
    case = open_case(
        session,
        practice=clinic.practice,
        patient=clinic.patient,
        ref=ref,
        procedure="Partial mastectomy",
        surgery_at=surgery_at,
        surgeon_id=clinic.surgeon.id if surgeon else None,
        payer_name=payer_name,
        tests=tests,
        sentinel_node_mapping=sentinel_node_mapping,
        now=now,
    )
    session.flush()
    return case


def _codes(case: SurgicalCase, kind: str) -> list[str]:
    return [item.code for item in case.items if item.kind == kind]


def _audit_actions(session: Session, case: SurgicalCase) -> list[str]:
    return list(
        session.scalars(
            select(AuditLog.action)
            .where(AuditLog.entity_type == "surgical_case", AuditLog.entity_id == str(case.id))
            .order_by(AuditLog.id)
        )
    )


# --- opening a case ------------------------------------------------------------------------


def test_open_case_builds_the_checklist_from_the_payer_and_the_tests(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    case = open_test_case(session, clinic, tests=("labs", "ekg", "chest_xray"))

    assert case.status == "scheduled"
    assert case.authorization_status == "not_requested"
    assert _codes(case, "test") == ["labs", "ekg", "chest_xray"]
    assert {i.label for i in case.items if i.kind == "test"} == {
        "Labs (CBC and BMP)",
        "EKG",
        "Chest X-ray",
    }
    assert {i.window_days for i in case.items if i.kind == "test"} == {30}
    assert _codes(case, "task") == [
        "or_slot_booked",
        "facility_confirmed",
        "surgeon_confirmed",
        "anesthesia_confirmed",
        "pathology_consult_requested",
    ]
    assert _codes(case, "document") == ["pathology_report", "imaging", "consult_note"]
    assert all(i.window_days is None for i in case.items if i.kind != "test")
    # The surgery is on 15 December in Chicago: pathology is expected a week later.
    assert case.pathology_expected_on == date(2026, 12, 22)
    assert _audit_actions(session, case) == ["case.opened"]


def test_sentinel_node_mapping_needs_nuclear_medicine(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    case = open_test_case(session, clinic, sentinel_node_mapping=True)

    assert _codes(case, "task")[-1] == "nuclear_medicine_confirmed"
    labels = [i.label for i in case.items if i.kind == "task"]
    assert "Nuclear medicine confirmed" in labels
    assert "Intraoperative pathology consult requested" in labels


def test_a_commercial_payer_has_its_own_window_and_documents(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    case = open_test_case(session, clinic, payer_name="blue cross blue shield of massachusetts")

    assert {i.window_days for i in case.items if i.kind == "test"} == {60}
    assert "tumor_board_note" in _codes(case, "document")


def test_an_unknown_payer_gets_the_default_terms(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    case = open_test_case(session, clinic, payer_name="Acme Health")

    assert {i.window_days for i in case.items if i.kind == "test"} == {30}
    assert _codes(case, "document") == ["pathology_report", "imaging", "consult_note"]


def test_an_unknown_test_code_is_refused_with_the_known_ones(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    with pytest.raises(Invalid, match=r"Unknown pre-op test 'xray'.*chest_xray"):
        open_test_case(session, clinic, tests=("labs", "xray"))
    assert session.scalars(select(SurgicalCase)).first() is None


def test_a_reference_is_used_once_per_practice(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    open_test_case(session, clinic)

    with pytest.raises(Invalid, match="already a case CASE-1001"):
        open_test_case(session, clinic)


def test_a_surgery_in_the_past_is_refused(session: Session) -> None:
    clinic = add_surgical_clinic(session)

    with pytest.raises(Invalid, match="in the past"):
        open_test_case(session, clinic, now=SURGERY + timedelta(minutes=1))


def test_a_surgeon_of_another_practice_is_refused(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    other = add_practice(session, kind="veterinary")
    stranger = StaffUser(
        practice_id=other.id,
        name="Dr. Elsewhere",
        email="elsewhere@example.org",
        role="surgeon",
        phone="+13125550998",
    )
    session.add(stranger)
    session.flush()

    with pytest.raises(Invalid, match="surgeon is not an active staff member"):
        open_case(
            session,
            practice=clinic.practice,
            patient=clinic.patient,
            ref="CASE-2",
            procedure="Colectomy",
            surgery_at=SURGERY,
            surgeon_id=stranger.id,
            payer_name=None,
            tests=(),
            sentinel_node_mapping=False,
            now=OPENED,
        )


def test_the_rules_file_loads_and_every_payer_has_a_window() -> None:
    rules = load_case_rules()

    assert set(rules.tests) == {
        "labs",
        "ekg",
        "chest_xray",
        "cardiac_clearance",
        "pulmonary_clearance",
        "hematology_clearance",
    }
    assert rules.payer("Medicare").test_window_days == 30
    assert rules.payer(None) == rules.payer("default")


def test_a_payer_asking_for_an_unknown_document_is_refused() -> None:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    data["payers"]["Medicare"]["documents"].append("x_ray_film")

    with pytest.raises(ValueError, match="Medicare: unknown documents"):
        CaseRules.from_dict(data)


# --- the checklist -------------------------------------------------------------------------


def test_a_test_older_than_the_payer_window_has_expired(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)  # Medicare: 30 days
    mark_item_done(
        session, case=case, code="ekg", done_at=SURGERY - timedelta(days=40), staff_id=None
    )
    mark_item_done(
        session, case=case, code="labs", done_at=SURGERY - timedelta(days=3), staff_id=None
    )
    ekg, labs = (next(i for i in case.items if i.code == c) for c in ("ekg", "labs"))

    assert item_state(case, ekg, now=OPENED) == "expired"
    assert item_state(case, labs, now=SURGERY) == "done"
    assert [i.code for i in missing_items(case, now=SURGERY, kind="test")] == ["ekg"]


def test_the_same_old_result_counts_for_a_60_day_payer(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(
        session, clinic, payer_name="Blue Cross Blue Shield of Massachusetts", tests=("ekg",)
    )
    mark_item_done(
        session, case=case, code="ekg", done_at=SURGERY - timedelta(days=40), staff_id=None
    )

    assert missing_items(case, now=SURGERY, kind="test") == []


def test_a_result_recorded_for_later_does_not_count_yet(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic, tests=("ekg",))
    done_at = SURGERY - timedelta(days=2)
    mark_item_done(session, case=case, code="ekg", done_at=done_at, staff_id=None)

    assert [i.code for i in missing_items(case, now=done_at - timedelta(hours=1))] == [
        "ekg",
        *(i.code for i in case.items if i.kind != "test"),
    ]
    assert missing_items(case, now=done_at, kind="test") == []


def test_tasks_and_documents_count_once_done(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic, tests=())

    item = mark_item_done(
        session, case=case, code="or_slot_booked", done_at=OPENED, staff_id=clinic.nurse.id
    )
    mark_item_done(session, case=case, code="imaging", done_at=OPENED, staff_id=clinic.nurse.id)

    assert item.done_by_id == clinic.nurse.id
    missing = {i.code for i in missing_items(case, now=OPENED)}
    assert "or_slot_booked" not in missing and "imaging" not in missing
    assert "facility_confirmed" in missing and "consult_note" in missing
    audit = session.scalars(
        select(AuditLog).where(AuditLog.action == "case.item_done").order_by(AuditLog.id)
    ).all()
    assert [(a.actor, a.details["code"]) for a in audit] == [
        (f"staff:{clinic.nurse.id}", "or_slot_booked"),
        (f"staff:{clinic.nurse.id}", "imaging"),
    ]


def test_marking_an_item_the_case_does_not_have_names_its_items(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic, tests=("labs",))

    with pytest.raises(Invalid, match=r"no checklist item 'ekg'.*labs"):
        mark_item_done(session, case=case, code="ekg", done_at=OPENED, staff_id=None)


# --- authorization, pathology, adjuvant therapy --------------------------------------------


def test_authorization_clock_starts_at_the_first_request(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)
    requested = OPENED + timedelta(days=1)

    set_authorization(session, case=case, status="pending", now=requested)
    set_authorization(session, case=case, status="denied", now=requested + timedelta(days=3))
    assert case.authorization_decided_at == requested + timedelta(days=3)
    # An appeal: pending again, undecided, the clock still from the first request.
    set_authorization(session, case=case, status="pending", now=requested + timedelta(days=4))
    assert case.authorization_requested_at == requested
    assert case.authorization_decided_at is None
    set_authorization(session, case=case, status="approved", now=requested + timedelta(days=6))

    assert case.authorization_status == "approved"
    assert case.authorization_decided_at == requested + timedelta(days=6)
    assert _audit_actions(session, case).count("case.authorization") == 4


def test_an_unknown_authorization_status_is_refused(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)

    with pytest.raises(Invalid, match="Unknown authorization status 'ok'"):
        set_authorization(session, case=case, status="ok", now=OPENED)


def test_pathology_is_passed_on_only_after_it_arrived(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)
    arrived = SURGERY + timedelta(days=5)

    with pytest.raises(Invalid, match="arrived before passing it on"):
        record_pathology(session, case=case, passed_on_at=arrived)
    record_pathology(session, case=case, received_at=arrived)
    with pytest.raises(Invalid, match="before it arrived"):
        record_pathology(session, case=case, passed_on_at=arrived - timedelta(hours=1))
    record_pathology(session, case=case, passed_on_at=arrived + timedelta(days=1))

    assert case.pathology_received_at == arrived
    assert case.pathology_passed_on_at == arrived + timedelta(days=1)
    assert _audit_actions(session, case).count("case.pathology") == 2


def test_adjuvant_therapy_is_medical_or_radiation(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)

    with pytest.raises(Invalid, match="Unknown adjuvant therapy 'chemo'"):
        record_adjuvant(session, case=case, kind="chemo", now=SURGERY)
    record_adjuvant(session, case=case, kind="radiation", now=SURGERY + timedelta(days=9))

    assert case.adjuvant_therapy == "radiation"
    assert case.adjuvant_recorded_at == SURGERY + timedelta(days=9)


# --- surgery, discharge, cancellation ------------------------------------------------------


def test_surgery_done_then_discharge_once(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)

    with pytest.raises(Invalid, match="has not started yet"):
        mark_surgery_done(session, case=case, now=SURGERY - timedelta(minutes=1))
    with pytest.raises(Invalid, match="before discharging"):
        discharge(session, case=case, now=SURGERY)
    mark_surgery_done(session, case=case, now=SURGERY + timedelta(hours=3))
    discharge(session, case=case, now=SURGERY + timedelta(days=1))
    with pytest.raises(Invalid, match="already discharged"):
        discharge(session, case=case, now=SURGERY + timedelta(days=2))

    assert case.status == "done"
    assert case.discharged_at == SURGERY + timedelta(days=1)
    assert _audit_actions(session, case)[-2:] == ["case.surgery_done", "case.discharged"]


def test_a_cancelled_case_takes_no_more_actions(session: Session) -> None:
    clinic = add_surgical_clinic(session)
    case = open_test_case(session, clinic)
    cancel_case(session, case=case, now=OPENED, staff_id=clinic.nurse.id)

    with pytest.raises(Invalid, match="cancelled"):
        mark_item_done(session, case=case, code="ekg", done_at=OPENED, staff_id=None)
    with pytest.raises(Invalid, match="cancelled"):
        set_authorization(session, case=case, status="pending", now=OPENED)
    with pytest.raises(Invalid, match="cancelled"):
        mark_surgery_done(session, case=case, now=SURGERY)
    assert case.status == "cancelled"

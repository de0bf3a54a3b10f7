"""Coordination API: the practice's checkpoints, the staff actions on them, and the admins'
support resources; each scoped to the practice, refused to the wrong role, and strict about
input (a time without a zone is refused)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentType,
    AuditLog,
    LabResult,
    Patient,
    Practice,
    StaffAlert,
    StaffUser,
    SupportResource,
    SurgicalCase,
)
from assistant.staff.auth import hash_password

PASSWORD = "test-password"
API = "/api/v1/coordination"
RESOURCES = "/api/v1/admin/support-resources"
# Staff by e-mail: the veterinary practice's, then the surgical practice's.
VET_STAFF = {"vet-nurse": "nurse", "vet-billing": "billing", "vet-admin": "admin"}
HUMAN_STAFF = {"human-surgeon": "surgeon", "human-nurse": "nurse", "human-admin": "admin"}


@dataclass
class World:
    app: FastAPI
    engine: Engine
    biscuit: int  # a dog at the veterinary practice
    linda: int  # a patient at the surgical practice
    chemo_type: int
    oncologist: int  # the vet practice's, for bookings
    surgeon: int

    def session(self) -> Session:
        return make_session_factory(self.engine)()

    def signed_in(self, who: str) -> TestClient:
        client = TestClient(self.app)
        response = client.post(
            "/login",
            data={"email": f"{who}@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    def book(self, starts_at: datetime, *, status: str = "booked") -> int:
        with self.session() as session:
            appointment = Appointment(
                practice_id=session.get_one(Patient, self.biscuit).practice_id,
                patient_id=self.biscuit,
                appointment_type_id=self.chemo_type,
                clinician_id=self.oncologist,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                status=status,
            )
            session.add(appointment)
            session.commit()
            return appointment.id

    def alert(self, text: str = "No CBC on file for Biscuit's chemotherapy.") -> int:
        with self.session() as session:
            patient = session.get_one(Patient, self.biscuit)
            alert = StaffAlert(
                key=f"test-alert-{text}",
                practice_id=patient.practice_id,
                rule="labs_missing",
                patient_id=patient.id,
                text=text,
            )
            session.add(alert)
            session.commit()
            return alert.id

    def audit_actions(self) -> list[str]:
        """What was done, leaving out the sign-ins that let it be done and the reads of the
        view (tests/api/test_audit_reads.py)."""
        with self.session() as session:
            return list(
                session.scalars(
                    select(AuditLog.action)
                    .where(
                        AuditLog.action.not_like("staff.%"), AuditLog.action.not_like("%.viewed")
                    )
                    .order_by(AuditLog.id)
                )
            )


@pytest.fixture
def world(client: TestClient, sqlite_engine: Engine) -> World:
    """The api fixture's two practices, with staff who can sign in, a patient each and a
    chemotherapy visit type."""
    app = client.app
    assert isinstance(app, FastAPI)
    password_hash = hash_password(PASSWORD)
    with make_session_factory(sqlite_engine)() as session:
        vet = session.scalars(select(Practice).where(Practice.kind == "veterinary")).one()
        human = session.scalars(select(Practice).where(Practice.kind == "human")).one()
        staff = {
            who: StaffUser(
                practice_id=practice.id,
                name=who.replace("-", " ").title(),
                email=f"{who}@example.org",
                role=role,
                phone=f"+1312555{n:04d}",
                password_hash=password_hash,
            )
            for practice, people in ((vet, VET_STAFF), (human, HUMAN_STAFF))
            for n, (who, role) in enumerate(people.items(), start=len(VET_STAFF) * practice.id)
        }
        oncologist = StaffUser(
            practice_id=vet.id,
            name="Dr. Hart",
            email="hart@example.org",
            role="oncologist",
            phone="+13125559999",
        )
        biscuit = Patient(practice_id=vet.id, kind="animal", name="Biscuit", species="dog")
        linda = Patient(practice_id=human.id, kind="human", name="Linda Chen")
        chemo = AppointmentType(
            practice_id=vet.id,
            code="chemo_treatment",
            name="Chemotherapy treatment",
            duration_minutes=60,
            clinician_roles=["oncologist"],
            needs_labs=True,
        )
        session.add_all([*staff.values(), oncologist, biscuit, linda, chemo])
        session.commit()
        return World(
            app=app,
            engine=sqlite_engine,
            biscuit=biscuit.id,
            linda=linda.id,
            chemo_type=chemo.id,
            oncologist=oncologist.id,
            surgeon=staff["human-surgeon"].id,
        )


@pytest.fixture
def vet_nurse(world: World) -> Iterator[TestClient]:
    with world.signed_in("vet-nurse") as client:
        yield client


@pytest.fixture
def surgeon(world: World) -> Iterator[TestClient]:
    with world.signed_in("human-surgeon") as client:
        yield client


def iso(moment: datetime) -> str:
    return moment.isoformat()


NOW = datetime.now(UTC)


# --- the view -------------------------------------------------------------------------------


def test_the_view_shows_a_chemo_visit_with_no_cbc_and_its_open_alert(
    world: World, vet_nurse: TestClient
) -> None:
    visit = world.book(NOW + timedelta(days=2))
    alert = world.alert()

    response = vet_nurse.get(API)

    assert response.status_code == 200
    [biscuit] = response.json()
    assert (biscuit["patient_id"], biscuit["name"], biscuit["status"]) == (
        world.biscuit,
        "Biscuit",
        "active",
    )
    [checkpoint] = biscuit["visits"]
    assert (checkpoint["appointment_id"], checkpoint["labs"]) == (visit, "CBC missing")
    assert checkpoint["confirmed"] is False
    assert datetime.fromisoformat(checkpoint["starts_at"]).tzinfo is not None
    assert biscuit["missing"][0].startswith("CBC before Chemotherapy treatment on ")
    assert [a["id"] for a in biscuit["alerts"]] == [alert]


def test_the_view_is_per_practice_and_closed_to_billing_staff(world: World) -> None:
    # Labs and treatment checkpoints are health details: billing staff see billing records
    # only (issue 18); admins look.
    world.book(NOW + timedelta(days=2))

    with world.signed_in("vet-admin") as admin:
        assert [p["name"] for p in admin.get(API).json()] == ["Biscuit"]
    with world.signed_in("vet-billing") as billing:
        assert billing.get(API).status_code == 403
    with world.signed_in("human-nurse") as other_practice:
        assert other_practice.get(API).json() == []


def test_the_view_needs_sign_in_and_a_sensible_window(world: World, vet_nurse: TestClient) -> None:
    assert TestClient(world.app).get(API).status_code == 401
    assert vet_nurse.get(API, params={"days": 0}).status_code == 422
    world.book(NOW + timedelta(days=10))
    assert vet_nurse.get(API, params={"days": 7}).json() == []
    assert len(vet_nurse.get(API, params={"days": 14}).json()) == 1


# --- who may act ----------------------------------------------------------------------------

# Every write, with a body that would be accepted: the role check comes first.
WRITES: list[tuple[str, Callable[[World], str], dict[str, Any] | None]] = [
    ("alert", lambda w: f"{API}/alerts/1/resolve", None),
    ("status", lambda w: f"{API}/patients/{w.biscuit}/status", {"status": "palliative"}),
    ("complete", lambda w: f"{API}/appointments/1/complete", {}),
    (
        "labs",
        lambda w: f"{API}/patients/{w.biscuit}/labs",
        {"test_code": "cbc", "collected_at": iso(NOW)},
    ),
    ("case", lambda w: f"{API}/cases", {"patient_id": 1}),
    ("item", lambda w: f"{API}/cases/CASE-1/items/ekg/done", {"done_at": iso(NOW)}),
    ("authorization", lambda w: f"{API}/cases/CASE-1/authorization", {"status": "pending"}),
    ("pathology", lambda w: f"{API}/cases/CASE-1/pathology", {"received_at": iso(NOW)}),
    ("adjuvant", lambda w: f"{API}/cases/CASE-1/adjuvant", {"kind": "medical"}),
    ("surgery-done", lambda w: f"{API}/cases/CASE-1/surgery-done", None),
    ("discharge", lambda w: f"{API}/cases/CASE-1/discharge", None),
]


@pytest.mark.parametrize(("name", "path", "body"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_need_clinical_staff(
    world: World,
    name: str,
    path: Callable[[World], str],
    body: dict[str, Any] | None,
) -> None:
    assert TestClient(world.app).post(path(world), json=body).status_code == 401
    for who in ("vet-billing", "vet-admin"):
        with world.signed_in(who) as client:
            response = client.post(path(world), json=body)
            assert response.status_code == 403, (who, response.text)


# --- alerts ---------------------------------------------------------------------------------


def test_resolving_an_alert_takes_it_off_the_view(world: World, vet_nurse: TestClient) -> None:
    alert = world.alert()

    response = vet_nurse.post(f"{API}/alerts/{alert}/resolve")

    assert response.status_code == 200
    assert response.json()["resolved_by"] == "Vet Nurse"
    assert vet_nurse.get(API).json() == []
    with world.session() as session:
        assert session.get_one(StaffAlert, alert).resolved_at is not None
    assert world.audit_actions() == ["alert.resolved"]
    again = vet_nurse.post(f"{API}/alerts/{alert}/resolve")
    assert again.status_code == 409


def test_another_practices_alert_is_not_found(world: World, surgeon: TestClient) -> None:
    alert = world.alert()

    assert surgeon.post(f"{API}/alerts/{alert}/resolve").status_code == 404
    assert surgeon.post(f"{API}/alerts/not-a-number/resolve").status_code == 422


# --- patient status -------------------------------------------------------------------------


def test_a_pet_marked_deceased_leaves_the_view(world: World, vet_nurse: TestClient) -> None:
    world.book(NOW + timedelta(days=2))

    response = vet_nurse.post(f"{API}/patients/{world.biscuit}/status", json={"status": "deceased"})

    assert response.status_code == 200
    assert response.json() == {"patient_id": world.biscuit, "status": "deceased", "withdrawn": 0}
    assert vet_nurse.get(API).json() == []
    assert world.audit_actions() == ["patient.status"]


def test_a_status_change_refuses_bad_input_and_other_practices(
    world: World, vet_nurse: TestClient
) -> None:
    path = f"{API}/patients/{world.biscuit}/status"

    unknown = vet_nurse.post(path, json={"status": "asleep"})
    assert (unknown.status_code, "status must be one of" in unknown.json()["detail"]) == (422, True)
    assert vet_nurse.post(path, json={"status": "deceased"}).status_code == 200
    back = vet_nurse.post(path, json={"status": "active"})
    assert (back.status_code, "cannot be changed back" in back.json()["detail"]) == (422, True)
    other = vet_nurse.post(f"{API}/patients/{world.linda}/status", json={"status": "palliative"})
    assert other.status_code == 404


# --- visits and labs ------------------------------------------------------------------------


def test_completing_a_visit_records_the_drug(world: World, vet_nurse: TestClient) -> None:
    visit = world.book(NOW - timedelta(hours=1))

    response = vet_nurse.post(f"{API}/appointments/{visit}/complete", json={"drug": "doxorubicin"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["drug"]) == ("completed", "doxorubicin")
    with world.session() as session:
        appointment = session.get_one(Appointment, visit)
        assert appointment.completed_at is not None
        assert (appointment.status, appointment.drug) == ("completed", "doxorubicin")
    assert world.audit_actions() == ["appointment.completed"]


def test_completing_refuses_a_future_a_cancelled_or_another_practices_visit(
    world: World, vet_nurse: TestClient, surgeon: TestClient
) -> None:
    coming = world.book(NOW + timedelta(days=1))
    cancelled = world.book(NOW - timedelta(days=1), status="cancelled")
    past = world.book(NOW - timedelta(hours=2))

    assert vet_nurse.post(f"{API}/appointments/{coming}/complete", json={}).status_code == 422
    assert vet_nurse.post(f"{API}/appointments/{cancelled}/complete", json={}).status_code == 409
    too_long = vet_nurse.post(f"{API}/appointments/{past}/complete", json={"drug": "x" * 81})
    assert too_long.status_code == 422
    assert surgeon.post(f"{API}/appointments/{past}/complete", json={}).status_code == 404


def test_a_cbc_recorded_turns_the_visit_to_cbc_on_file(world: World, vet_nurse: TestClient) -> None:
    world.book(NOW + timedelta(days=1))
    collected = NOW - timedelta(hours=2)

    response = vet_nurse.post(
        f"{API}/patients/{world.biscuit}/labs",
        json={"test_code": "cbc", "collected_at": iso(collected)},
    )

    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["collected_at"]) == collected
    with world.session() as session:
        lab = session.scalars(select(LabResult)).one()
        assert (lab.patient_id, lab.test_code, lab.collected_at) == (
            world.biscuit,
            "cbc",
            collected,
        )
    [biscuit] = vet_nurse.get(API).json()
    assert biscuit["visits"][0]["labs"] == "CBC on file"
    assert biscuit["missing"] == []
    assert world.audit_actions() == ["lab_result.recorded"]


@pytest.mark.parametrize(
    "body",
    [
        {"test_code": "cbc", "collected_at": "2026-11-20T09:00:00"},  # no time zone
        {"test_code": "cbc", "collected_at": iso(NOW + timedelta(days=1))},  # not yet taken
        {"test_code": "CBC result", "collected_at": iso(NOW)},
        {"collected_at": iso(NOW)},
    ],
    ids=["naive", "future", "bad-code", "no-code"],
)
def test_a_lab_result_refuses_bad_input(
    world: World, vet_nurse: TestClient, body: dict[str, Any]
) -> None:
    response = vet_nurse.post(f"{API}/patients/{world.biscuit}/labs", json=body)

    assert response.status_code == 422
    with world.session() as session:
        assert session.scalars(select(LabResult)).all() == []


def test_a_lab_result_for_another_practices_patient_is_not_found(
    world: World, surgeon: TestClient
) -> None:
    response = surgeon.post(
        f"{API}/patients/{world.biscuit}/labs", json={"test_code": "cbc", "collected_at": iso(NOW)}
    )
    assert response.status_code == 404


# --- surgical cases -------------------------------------------------------------------------


def case_body(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "patient_id": world.linda,
        "ref": "CASE-2001",
        "procedure": "Partial mastectomy",
        "surgery_at": iso(NOW + timedelta(days=10)),
        "surgeon_id": world.surgeon,
        "payer_name": "Medicare",
        "tests": ["labs", "ekg"],
        "sentinel_node_mapping": False,
        **changes,
    }


def open_case(world: World, client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post(f"{API}/cases", json=case_body(world, **changes))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_opened_case_is_on_the_view_with_what_it_needs(
    world: World, surgeon: TestClient
) -> None:
    case = open_case(world, surgeon)

    assert (case["ref"], case["status"], case["authorization_status"]) == (
        "CASE-2001",
        "scheduled",
        "not_requested",
    )
    assert [(i["code"], i["state"]) for i in case["items"] if i["kind"] == "test"] == [
        ("labs", "missing"),
        ("ekg", "missing"),
    ]
    [linda] = surgeon.get(API).json()
    [checkpoint] = linda["cases"]
    assert checkpoint["tests_missing"] == ["Labs (CBC and BMP)", "EKG"]
    assert checkpoint["authorization"] == "not_requested"
    assert "CASE-2001: authorization not requested" in linda["missing"]
    assert world.audit_actions() == ["case.opened"]


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"surgery_at": "2026-12-20T09:00:00"}, "timezone"),
        ({"tests": ["mri"]}, "Unknown pre-op test"),
        ({"surgery_at": iso(NOW - timedelta(days=1))}, "in the past"),
        ({"ref": ""}, "at least 1 character"),
    ],
    ids=["naive", "unknown-test", "past", "no-ref"],
)
def test_opening_a_case_refuses_bad_input(
    world: World, surgeon: TestClient, changes: dict[str, Any], detail: str
) -> None:
    response = surgeon.post(f"{API}/cases", json=case_body(world, **changes))

    assert response.status_code == 422
    assert detail in str(response.json()["detail"])
    with world.session() as session:
        assert session.scalars(select(SurgicalCase)).all() == []


def test_a_case_ref_is_used_once_and_cases_stay_in_their_practice(
    world: World, surgeon: TestClient, vet_nurse: TestClient
) -> None:
    open_case(world, surgeon)

    again = surgeon.post(f"{API}/cases", json=case_body(world))
    assert (again.status_code, "already a case" in again.json()["detail"]) == (422, True)
    # The vet practice can neither open a case for Linda nor see or move CASE-2001.
    assert vet_nurse.post(f"{API}/cases", json=case_body(world)).status_code == 404
    for path, body in [
        ("items/ekg/done", {"done_at": iso(NOW)}),
        ("authorization", {"status": "pending"}),
        ("pathology", {"received_at": iso(NOW)}),
        ("adjuvant", {"kind": "medical"}),
        ("surgery-done", None),
        ("discharge", None),
    ]:
        response = vet_nurse.post(f"{API}/cases/CASE-2001/{path}", json=body)
        assert response.status_code == 404, path


def test_the_checklist_and_authorization_move_a_case_along(
    world: World, surgeon: TestClient
) -> None:
    open_case(world, surgeon)
    base = f"{API}/cases/CASE-2001"

    done = surgeon.post(f"{base}/items/ekg/done", json={"done_at": iso(NOW - timedelta(days=2))})
    expired = surgeon.post(
        f"{base}/items/labs/done", json={"done_at": iso(NOW - timedelta(days=45))}
    )
    pending = surgeon.post(f"{base}/authorization", json={"status": "pending"})

    assert done.status_code == expired.status_code == pending.status_code == 200
    states = {i["code"]: i["state"] for i in expired.json()["items"]}
    assert (states["ekg"], states["labs"]) == ("done", "expired")  # Medicare: 30 days
    assert pending.json()["authorization_status"] == "pending"
    [checkpoint] = surgeon.get(API).json()[0]["cases"]
    assert (checkpoint["tests_missing"], checkpoint["tests_expired"]) == (
        [],
        ["Labs (CBC and BMP)"],
    )
    assert checkpoint["authorization"] == "pending"


@pytest.mark.parametrize(
    ("path", "body", "detail"),
    [
        ("items/mri/done", {"done_at": iso(NOW)}, "no checklist item 'mri'"),
        ("items/ekg/done", {"done_at": "2026-11-20T09:00:00"}, "timezone"),
        ("items/ekg/done", {"done_at": iso(NOW + timedelta(days=1))}, "in the future"),
        ("authorization", {"status": "maybe"}, "Unknown authorization status"),
        ("pathology", {}, "Give when the pathology report arrived"),
        ("pathology", {"passed_on_at": iso(NOW)}, "before passing it on"),
        ("adjuvant", {"kind": "herbal"}, "Unknown adjuvant therapy"),
        ("surgery-done", None, "has not started yet"),
        ("discharge", None, "before discharging"),
    ],
    ids=[
        "unknown-item",
        "naive-item",
        "future-item",
        "bad-authorization",
        "empty-pathology",
        "passed-on-first",
        "bad-adjuvant",
        "surgery-not-started",
        "discharge-before-surgery",
    ],
)
def test_case_actions_refuse_bad_input(
    world: World, surgeon: TestClient, path: str, body: dict[str, Any] | None, detail: str
) -> None:
    open_case(world, surgeon)

    response = surgeon.post(f"{API}/cases/CASE-2001/{path}", json=body)

    assert response.status_code == 422
    assert detail in str(response.json()["detail"])


def test_after_surgery_pathology_adjuvant_and_discharge(world: World, surgeon: TestClient) -> None:
    open_case(world, surgeon)
    with world.session() as session:  # the day of the operation has come
        case = session.scalars(select(SurgicalCase)).one()
        case.surgery_at = NOW - timedelta(hours=3)
        session.commit()
    base = f"{API}/cases/CASE-2001"

    assert surgeon.post(f"{base}/surgery-done").json()["status"] == "done"
    received = surgeon.post(
        f"{base}/pathology", json={"received_at": iso(NOW - timedelta(hours=1))}
    )
    assert received.status_code == 200
    assert surgeon.get(API).json()[0]["cases"][0]["pathology"] == "received, not passed on"
    passed_on = surgeon.post(f"{base}/pathology", json={"passed_on_at": iso(NOW)})
    assert passed_on.json()["pathology_passed_on_at"] is not None
    assert (
        surgeon.post(f"{base}/adjuvant", json={"kind": "radiation"}).json()["adjuvant_therapy"]
        == "radiation"
    )
    discharged = surgeon.post(f"{base}/discharge")
    assert (discharged.status_code, discharged.json()["discharged_at"] is not None) == (200, True)
    assert surgeon.post(f"{base}/discharge").status_code == 422  # once
    assert surgeon.post(f"{base}/surgery-done").status_code == 422
    [linda] = surgeon.get(API).json()
    assert linda["missing"] == ["CASE-2001: follow-up not booked"]
    assert world.audit_actions() == [
        "case.opened",
        "case.surgery_done",
        "case.pathology",
        "case.pathology",
        "case.adjuvant",
        "case.discharged",
    ]


def test_a_veterinary_practice_has_no_surgical_cases(world: World, vet_nurse: TestClient) -> None:
    response = vet_nurse.post(f"{API}/cases", json=case_body(world, patient_id=world.biscuit))

    assert response.status_code == 422
    assert "surgical oncology practices only" in response.json()["detail"]


# --- support resources ----------------------------------------------------------------------

RESOURCE = {
    "title": "Pet loss support line",
    "detail": "+18005550100",
    "stages": ["deceased", "palliative"],
    "position": 1,
    "active": True,
}


def test_an_admin_adds_changes_lists_and_deletes_a_resource(world: World) -> None:
    with world.signed_in("vet-admin") as admin:
        added = admin.post(RESOURCES, json=RESOURCE)
        assert added.status_code == 201
        resource_id = added.json()["id"]
        assert added.json()["stages"] == ["palliative", "deceased"]  # stage order

        changed = admin.put(
            f"{RESOURCES}/{resource_id}", json={**RESOURCE, "active": False, "stages": ["deceased"]}
        )
        assert (changed.status_code, changed.json()["active"]) == (200, False)
        assert [(r["id"], r["stages"]) for r in admin.get(RESOURCES).json()] == [
            (resource_id, ["deceased"])
        ]

        assert admin.delete(f"{RESOURCES}/{resource_id}").status_code == 204
        assert admin.get(RESOURCES).json() == []
    with world.session() as session:
        assert session.scalars(select(SupportResource)).all() == []
    assert world.audit_actions() == [
        "support_resource.added",
        "support_resource.changed",
        "support_resource.deleted",
    ]


@pytest.mark.parametrize(
    "changes",
    [{"stages": ["hospice"]}, {"stages": []}, {"title": "  "}, {"position": -1}, {"detail": None}],
    ids=["unknown-stage", "no-stage", "blank-title", "negative-position", "no-detail"],
)
def test_a_resource_refuses_bad_input(world: World, changes: dict[str, Any]) -> None:
    with world.signed_in("vet-admin") as admin:
        assert admin.post(RESOURCES, json={**RESOURCE, **changes}).status_code == 422


def test_resources_are_for_admins_of_their_own_practice(world: World) -> None:
    with world.signed_in("vet-admin") as admin:
        resource_id = admin.post(RESOURCES, json=RESOURCE).json()["id"]

    assert TestClient(world.app).get(RESOURCES).status_code == 401
    for who in ("vet-nurse", "vet-billing"):
        with world.signed_in(who) as client:
            assert client.get(RESOURCES).status_code == 403
            assert client.post(RESOURCES, json=RESOURCE).status_code == 403
            assert client.put(f"{RESOURCES}/{resource_id}", json=RESOURCE).status_code == 403
            assert client.delete(f"{RESOURCES}/{resource_id}").status_code == 403
    with world.signed_in("human-admin") as other_admin:
        assert other_admin.get(RESOURCES).json() == []
        assert other_admin.put(f"{RESOURCES}/{resource_id}", json=RESOURCE).status_code == 404
        assert other_admin.delete(f"{RESOURCES}/{resource_id}").status_code == 404

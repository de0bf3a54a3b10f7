"""The front desk (issue 19): find a patient, add or change one client, patient or visit by
hand; visits keep the scheduling rules; every change is audited; only the practice's own
clinical staff and admins, never billing staff or another practice."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import Appointment, AppointmentTimeClaim, AuditLog, Contact
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

API = "/api/v1/front-desk"
NURSE = "jordan.reyes@cedar-vet.example.org"
ADMIN = "pat.sullivan@cedar-vet.example.org"
BILLING = "renee.dubois@cedar-vet.example.org"
SURGICAL_NURSE = "beth.ramsey@harbor-surgical.example.org"
CHICAGO = ZoneInfo("America/Chicago")
ALVAREZ = "+13125550120"  # owns Biscuit and Pepper


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    with_demo_data(sqlite_engine, today=date.today())  # shifts from today, so bookings are ahead
    return sqlite_engine


@pytest.fixture
def app(engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(engine, triage)


@pytest.fixture
def nurse(app: FastAPI) -> TestClient:
    return signed_in(app, NURSE)


def _next_weekday(weekday: int, at: str) -> str:
    """Local ISO time on the next such weekday at least 2 days ahead, at Cedar."""
    day = datetime.now(CHICAGO).date() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return f"{day.isoformat()}T{at}"


def _biscuit(nurse: TestClient) -> dict:  # type: ignore[type-arg]
    (found,) = [p for p in nurse.get(API + "/patients", params={"q": "bisc"}).json()]
    return found


def test_a_patient_is_found_by_name_client_name_or_phone(nurse: TestClient) -> None:
    by_name = nurse.get(API + "/patients", params={"q": "Biscuit"}).json()
    by_client = nurse.get(API + "/patients", params={"q": "maria alv"}).json()
    by_phone = nurse.get(API + "/patients", params={"q": "(312) 555-0120"}).json()
    assert [p["name"] for p in by_name] == ["Biscuit"]
    assert [p["name"] for p in by_client] == [p["name"] for p in by_phone] == ["Biscuit", "Pepper"]
    biscuit = by_name[0]
    assert [(c["phone"], c["relationship"]) for c in biscuit["contacts"]] == [(ALVAREZ, "owner")]
    assert {v["type_code"] for v in biscuit["visits"]} >= {"chemo_treatment"}
    assert nurse.get(API + "/patients", params={"q": "b"}).status_code == 422  # too short


def test_a_new_patient_and_client_are_added_and_audited(nurse: TestClient, engine: Engine) -> None:
    body = {
        "name": "Waffles",
        "species": "dog",
        "breed": "Beagle",
        "date_of_birth": "2019-04-02",
        "diagnosis": "cutaneous mast cell tumor",
        "relationship": "owner",
        "contact": {"first_name": "Noor", "last_name": "Haddad", "phone": "(312) 555-0177"},
    }
    added = nurse.post(API + "/patients", json=body)
    assert added.status_code == 201, added.text
    assert [(c["first_name"], c["phone"], c["consent"]) for c in added.json()["contacts"]] == [
        ("Noor", "+13125550177", "unknown")
    ]
    # A second pet of a known client is linked to the same client, not a copy.
    second = nurse.post(
        API + "/patients",
        json={**body, "name": "Syrup", "contact": {**body["contact"], "phone": "312-555-0177"}},
    )
    assert second.status_code == 201
    with make_session_factory(engine)() as session:
        assert (
            len(session.scalars(select(Contact).where(Contact.phone == "+13125550177")).all()) == 1
        )
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.actor.like("staff:%"))
        ).all()
    assert actions.count("patient.added") == 2 and actions.count("contact.added") == 1


def test_bad_input_gets_a_clear_reason_and_changes_nothing(nurse: TestClient) -> None:
    biscuit = _biscuit(nurse)
    alvarez = biscuit["contacts"][0]
    cases = [
        (f"{API}/contacts/{alvarez['id']}", {"phone": "1234"}, 422, "phone number"),
        (f"{API}/contacts/{alvarez['id']}", {"phone": "+17735550121"}, 409, "another client"),
        (f"{API}/patients/{biscuit['id']}", {"date_of_birth": "2099-01-01"}, 422, "future"),
        (f"{API}/patients/{biscuit['id']}", {"name": "x" * 201}, 422, ""),
    ]
    for path, body, status, reason in cases:
        answer = nurse.patch(path, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert reason in answer.text
    assert _biscuit(nurse) == biscuit


def test_species_are_for_pets_only(app: FastAPI) -> None:
    surgical = signed_in(app, SURGICAL_NURSE)
    (linda,) = surgical.get(API + "/patients", params={"q": "linda"}).json()
    answer = surgical.patch(f"{API}/patients/{linda['id']}", json={"species": "dog"})
    assert answer.status_code == 422 and "pets" in answer.text


def test_a_client_is_renamed_and_gets_a_second_client_on_the_patient(nurse: TestClient) -> None:
    biscuit = _biscuit(nurse)
    alvarez = biscuit["contacts"][0]
    renamed = nurse.patch(f"{API}/contacts/{alvarez['id']}", json={"last_name": "Alvarez-Ruiz"})
    assert renamed.json()["last_name"] == "Alvarez-Ruiz"
    linked = nurse.post(
        f"{API}/patients/{biscuit['id']}/contacts",
        json={
            "first_name": "Tomas",
            "last_name": "Ruiz",
            "phone": "3125550178",
            "relationship": "owner",
        },
    )
    assert {c["first_name"] for c in linked.json()["contacts"]} == {"Maria", "Tomas"}
    refused = nurse.post(
        f"{API}/patients/{biscuit['id']}/contacts",
        json={"first_name": "A", "last_name": "B", "phone": "3125550179", "relationship": "self"},
    )
    assert refused.status_code == 422 and "owner" in refused.text


def test_a_visit_is_booked_moved_and_cancelled_by_the_shift_rules(
    nurse: TestClient, engine: Engine
) -> None:
    biscuit = _biscuit(nurse)
    key = "a1b2c3d4e5f6"
    visit = {
        "patient_id": biscuit["id"],
        "appointment_type": "recheck_exam",
        "starts_at": _next_weekday(2, "16:00"),  # a Wednesday: Dr Hart works 08:00-17:00
        "request_key": key,
    }
    booked = nurse.post(API + "/visits", json=visit)
    assert booked.status_code == 201, booked.text
    assert booked.json()["clinician_name"] == "Evelyn Hart"
    assert booked.json()["local_start"].endswith("16:00")
    again = nurse.post(API + "/visits", json=visit)  # a double click books once
    assert again.json()["id"] == booked.json()["id"]
    # Nobody else can take that time now.
    taken = nurse.post(API + "/visits", json={**visit, "request_key": "f" * 12})
    assert taken.status_code == 409

    sunday = nurse.post(
        API + "/visits",
        json={**visit, "starts_at": _next_weekday(6, "10:00"), "request_key": "e" * 12},
    )
    assert sunday.status_code == 409, sunday.text
    past = nurse.post(
        API + "/visits", json={**visit, "starts_at": "2020-01-06T10:00", "request_key": "d" * 12}
    )
    assert past.status_code == 422 and "passed" in past.text

    moved = nurse.post(
        f"{API}/visits/{booked.json()['id']}/move",
        json={"starts_at": _next_weekday(3, "15:30"), "request_key": "c" * 12},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["local_start"].endswith("15:30")
    cancelled = nurse.post(f"{API}/visits/{moved.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"

    with make_session_factory(engine)() as session:
        ids = [booked.json()["id"], moved.json()["id"]]
        rows = session.scalars(select(Appointment).where(Appointment.id.in_(ids))).all()
        assert {r.status for r in rows} == {"rescheduled", "cancelled"}
        held = session.scalars(
            select(AppointmentTimeClaim).where(AppointmentTimeClaim.appointment_id.in_(ids))
        ).all()
        assert held == []  # both times are free again
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.action.like("visit.%_by_staff"))
        ).all()
    assert sorted(actions) == [
        "visit.booked_by_staff",
        "visit.cancelled_by_staff",
        "visit.moved_by_staff",
    ]


def test_only_the_practices_own_clinical_staff_and_admins(app: FastAPI) -> None:
    nurse = signed_in(app, NURSE)
    biscuit = _biscuit(nurse)
    assert signed_in(app, ADMIN).get(API + "/patients", params={"q": "bisc"}).status_code == 200
    billing = signed_in(app, BILLING)
    assert billing.get(API + "/patients", params={"q": "bisc"}).status_code == 403
    assert billing.get("/front-desk", follow_redirects=False).status_code == 403
    other = signed_in(app, SURGICAL_NURSE)
    assert other.get(API + "/patients", params={"q": "bisc"}).json() == []
    assert other.patch(f"{API}/patients/{biscuit['id']}", json={"name": "X"}).status_code == 404
    contact_id = biscuit["contacts"][0]["id"]
    assert other.patch(f"{API}/contacts/{contact_id}", json={"first_name": "X"}).status_code == 404
    visit_id = biscuit["visits"][0]["id"]
    assert other.post(f"{API}/visits/{visit_id}/cancel").status_code == 404
    assert TestClient(app).get(API + "/options").status_code == 401
    assert _biscuit(nurse)["name"] == "Biscuit"


def test_the_options_list_this_practices_types_and_clinicians(nurse: TestClient) -> None:
    options = nurse.get(API + "/options").json()
    assert options["kind"] == "veterinary" and options["relationships"] == ["owner"]
    assert "chemo_treatment" in {t["value"] for t in options["appointment_types"]}
    assert {c["label"] for c in options["clinicians"]} == {
        "Casey Morgan, nurse",
        "Evelyn Hart, oncologist",
        "Jordan Reyes, nurse",
    }


def test_a_time_with_a_zone_is_refused_local_time_is_expected(nurse: TestClient) -> None:
    biscuit = _biscuit(nurse)
    answer = nurse.post(
        API + "/visits",
        json={
            "patient_id": biscuit["id"],
            "appointment_type": "recheck_exam",
            "starts_at": _next_weekday(2, "14:30") + "+00:00",
            "request_key": "b" * 12,
        },
    )
    assert answer.status_code == 422 and "local time" in answer.text
    assert datetime.now(UTC)  # the clock the rules read

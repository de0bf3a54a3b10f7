"""Protocols API: the definitions, and a CHOP-19 series booked by staff of the practice."""

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import Appointment, ClinicianShift, Patient
from tests.api.test_nurse import HUMAN_NURSE, VET_NURSE, app, signed_in
from tests.conftest import with_demo_data

__all__ = ["app"]  # the nurse API tests' app, on this module's demo database

# The route books from the real clock, so the demo is loaded from today and the series starts
# on the Tuesday at least a week ahead.
TODAY = date.today()
FIRST_TUESDAY = TODAY + timedelta(days=7 + (1 - TODAY.weekday()) % 7)


@pytest.fixture
def engine_with_demo(sqlite_engine: Engine) -> Engine:
    with_demo_data(sqlite_engine, today=TODAY)
    return sqlite_engine


def _biscuit(engine: Engine) -> int:
    with make_session_factory(engine)() as session:
        return session.scalars(select(Patient.id).where(Patient.name == "Biscuit")).one()


def test_lists_the_protocol_definitions(app: FastAPI) -> None:
    response = signed_in(app, VET_NURSE).get("/api/v1/staff/protocols")

    assert response.status_code == 200
    chop = next(p for p in response.json() if p["code"] == "chop_19")
    assert [w["week"] for w in chop["weeks"] if w["drug"] is None] == [5, 10, 15]
    assert chop["sources"]


def test_staff_book_a_chop_19_series(app: FastAPI, engine_with_demo: Engine) -> None:
    """Demo shifts run 30 days: the first weeks fit, the later ones are reported missing."""
    client = signed_in(app, VET_NURSE)
    patient_id = _biscuit(engine_with_demo)

    response = client.post(
        f"/api/v1/staff/patients/{patient_id}/protocols",
        json={"protocol": "chop_19", "first_visit": f"{FIRST_TUESDAY}T09:00"},
    )

    assert response.status_code == 409
    assert "week 5" not in response.json()["detail"]  # a break week
    assert "week 6" in response.json()["detail"]
    with make_session_factory(engine_with_demo)() as session:
        booked = session.scalars(
            select(Appointment).where(Appointment.protocol_series_id.is_not(None))
        ).all()
        assert booked == []  # all or nothing


def test_a_short_protocol_window_is_booked(app: FastAPI, engine_with_demo: Engine) -> None:
    client = signed_in(app, VET_NURSE)
    patient_id = _biscuit(engine_with_demo)
    # Give the clinic shifts for the whole protocol by repeating the demo's first 4 weeks.
    with make_session_factory(engine_with_demo)() as session:
        shifts = session.scalars(select(ClinicianShift)).all()
        for weeks in (4, 8, 12, 16):
            session.add_all(
                ClinicianShift(
                    staff_id=s.staff_id,
                    starts_at=s.starts_at + timedelta(weeks=weeks),
                    ends_at=s.ends_at + timedelta(weeks=weeks),
                )
                for s in shifts
            )
        session.commit()

    response = client.post(
        f"/api/v1/staff/patients/{patient_id}/protocols",
        json={"protocol": "chop_19", "first_visit": f"{FIRST_TUESDAY}T14:00"},
    )

    assert response.status_code == 201, response.text
    visits = response.json()["visits"]
    treatments = [v for v in visits if v["kind"] == "treatment"]
    assert len(treatments) == 16 and len(visits) == 32
    assert treatments[0]["local_start"] == f"{FIRST_TUESDAY} 14:00"
    assert treatments[0]["drug"] == "vincristine"
    assert treatments[0]["clinician"] == "Evelyn Hart"
    cbc = visits[0]
    assert cbc["kind"] == "cbc" and cbc["local_start"] < f"{FIRST_TUESDAY} 14:00"


def test_other_practices_patients_and_unknown_protocols_are_refused(
    app: FastAPI, engine_with_demo: Engine
) -> None:
    patient_id = _biscuit(engine_with_demo)
    body = {"protocol": "chop_19", "first_visit": f"{FIRST_TUESDAY}T09:00"}

    assert (
        signed_in(app, HUMAN_NURSE)
        .post(f"/api/v1/staff/patients/{patient_id}/protocols", json=body)
        .status_code
        == 404
    )
    assert (
        signed_in(app, VET_NURSE)
        .post(f"/api/v1/staff/patients/{patient_id}/protocols", json={**body, "protocol": "nope"})
        .status_code
        == 404
    )
    assert TestClient(app).get("/api/v1/staff/protocols").status_code == 401

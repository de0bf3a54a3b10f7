"""Reads of health details are audited (issue 18): who saw which case, queue or patient list,
and when; once per person and thing in 15 minutes, so a page that polls every 5 seconds leaves
one row, not one per poll."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from assistant.audit import READ_WINDOW
from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, StaffUser
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

NURSE = "jordan.reyes@cedar-vet.example.org"
ONCOLOGIST = "evelyn.hart@cedar-vet.example.org"
BILLING = "renee.dubois@cedar-vet.example.org"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage)


def reads(engine: Engine, email: str) -> list[tuple[str, str, str]]:
    with make_session_factory(engine)() as session:
        staff = session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        rows = session.scalars(
            select(AuditLog)
            .where(AuditLog.actor == f"staff:{staff.id}", AuditLog.action.like("%.viewed"))
            .order_by(AuditLog.id)
        )
        return [(r.action, r.entity_type, r.entity_id) for r in rows]


def open_case(app: FastAPI) -> int:
    with TestClient(app) as client:
        turn = client.post(
            "/api/v1/chat/cedar-vet-oncology/messages", json={"text": "she has been vomiting"}
        ).json()
    return int(turn["escalation"]["id"])


def test_a_case_read_is_audited_once_per_person_and_window(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    case_id = open_case(app)
    nurse, oncologist = signed_in(app, NURSE), signed_in(app, ONCOLOGIST)

    for _ in range(4):  # the case page polls
        assert nurse.get(f"/api/v1/nurse/cases/{case_id}").status_code == 200
    oncologist.get(f"/api/v1/nurse/cases/{case_id}")

    assert reads(sqlite_engine, NURSE) == [("case.viewed", "escalation", str(case_id))]
    assert reads(sqlite_engine, ONCOLOGIST) == [("case.viewed", "escalation", str(case_id))]

    # After the window, the next look is a new row.
    with make_session_factory(sqlite_engine)() as session:
        session.execute(
            update(AuditLog).values(
                created_at=datetime.now(UTC) - READ_WINDOW - timedelta(minutes=1)
            )
        )
        session.commit()
    nurse.get(f"/api/v1/nurse/cases/{case_id}")
    assert len(reads(sqlite_engine, NURSE)) == 2


def test_a_refused_read_leaves_no_row(app: FastAPI, sqlite_engine: Engine) -> None:
    case_id = open_case(app)

    assert signed_in(app, BILLING).get(f"/api/v1/nurse/cases/{case_id}").status_code == 403
    assert reads(sqlite_engine, BILLING) == []


@pytest.mark.parametrize(
    ("email", "path", "action"),
    [
        (NURSE, "/api/v1/nurse/queue", "queue.viewed"),
        (NURSE, "/api/v1/coordination", "coordination.viewed"),
        (NURSE, "/nurse/outbox", "outbox.viewed"),
        (BILLING, "/api/v1/billing/queue", "billing_queue.viewed"),
        (BILLING, "/api/v1/billing/claims/stale", "claims.viewed"),
    ],
)
def test_each_list_of_health_details_is_audited(
    app: FastAPI, sqlite_engine: Engine, email: str, path: str, action: str
) -> None:
    assert signed_in(app, email).get(path).status_code == 200

    assert [a for a, _, _ in reads(sqlite_engine, email)] == [action]

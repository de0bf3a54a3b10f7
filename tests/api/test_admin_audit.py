"""The audit log for a practice's admins (issue 19): its own rows only, newest first, filtered
by action and paged back; nobody else reads it, and reading it is itself audited."""

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

ADMIN = "pat.sullivan@cedar-vet.example.org"
NURSE = "jordan.reyes@cedar-vet.example.org"
SURGICAL_NURSE_DOMAIN = "harbor-surgical.example.org"
API = "/api/v1/admin/audit"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage)


def test_an_admin_reads_who_looked_at_what_in_their_own_practice(app: FastAPI) -> None:
    nurse = signed_in(app, NURSE)
    nurse.get("/api/v1/nurse/queue")
    signed_in(app, f"carlos.medina@{SURGICAL_NURSE_DOMAIN}").get("/api/v1/nurse/queue")
    admin = signed_in(app, ADMIN)

    rows = admin.get(API).json()
    looks = admin.get(API, params={"action": "queue.viewed"}).json()

    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert {r["action"] for r in rows} >= {"staff.signed_in", "queue.viewed"}
    assert len(looks) == 1 and looks[0]["actor"].startswith("staff:")
    assert all(SURGICAL_NURSE_DOMAIN not in str(r["details"]) for r in rows)
    older = admin.get(API, params={"before_id": rows[0]["id"], "limit": 1}).json()
    assert [r["id"] for r in older] == [rows[1]["id"]]
    assert admin.get(API, params={"action": "audit.viewed"}).json()  # reading it is audited


def test_nobody_but_an_admin_reads_it(app: FastAPI) -> None:
    assert signed_in(app, NURSE).get(API).status_code == 403
    assert signed_in(app, NURSE).get("/admin/audit", follow_redirects=False).status_code == 403

"""The practice's settings page (issue 19): an admin reads the practice as its practice file,
checks a change (listed, nothing written) and applies it; mistakes come back with their lines,
a change that strands a visit is refused; only the admin's own practice, only admins."""

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from assistant.db.engine import make_session_factory
from assistant.db.models import AppointmentType, AuditLog, Practice
from assistant.safety.triage import Triage
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data

API = "/api/v1/admin/practice/file"
ADMIN = "pat.sullivan@cedar-vet.example.org"
NURSE = "jordan.reyes@cedar-vet.example.org"
OTHER_ADMIN = "dana.whitaker@harbor-surgical.example.org"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    # Loaded today, so its shifts already reach 30 days ahead and applying adds none.
    with_demo_data(sqlite_engine, today=date.today())
    return demo_app(sqlite_engine, triage)


def test_the_current_file_applied_back_changes_nothing(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)
    text = admin.get(API).text
    assert "slug: cedar-vet-oncology" in text and "evelyn.hart@cedar-vet.example.org" in text
    answer = admin.post(API, json={"text": text, "dry_run": False}).json()
    assert answer == {
        "dry_run": False,
        "applied": False,
        "changes": [],
        "problems": [],
        "refusals": [],
    }


def test_a_change_is_listed_by_a_dry_run_then_applied_and_audited(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    admin = signed_in(app, ADMIN)
    text = admin.get(API).text.replace("duration_minutes: 30", "duration_minutes: 40", 1)
    checked = admin.post(API, json={"text": text}).json()
    assert checked["applied"] is False
    (change,) = checked["changes"]
    assert change.endswith("duration_minutes: 30 -> 40")

    def durations() -> list[int]:
        with make_session_factory(sqlite_engine)() as session:
            return sorted(session.scalars(select(AppointmentType.duration_minutes)))

    before = durations()
    applied = admin.post(API, json={"text": text, "dry_run": False}).json()
    assert applied["applied"] is True and applied["changes"] == [change]
    assert durations() != before
    with make_session_factory(sqlite_engine)() as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action == "practice.applied")).all()
    assert row[-1].actor.startswith("staff:")


def test_mistakes_come_back_with_their_lines_and_nothing_is_applied(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)
    text = admin.get(API).text
    broken = text.replace("timezone: America/Chicago", "timezone: Mars/Base")
    answer = admin.post(API, json={"text": broken, "dry_run": False}).json()
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if x.startswith("timezone:"))
    assert answer["applied"] is False
    assert answer["problems"] == [
        {
            "line": line,
            "where": "timezone",
            "message": "'Mars/Base' is not a time zone name such as America/Chicago",
        }
    ]


def test_a_change_that_strands_a_booked_visit_is_refused(app: FastAPI) -> None:
    admin = signed_in(app, ADMIN)
    text = admin.get(API).text
    # Dr Hart sees every demo chemotherapy: without her weekday shifts they have none.
    no_hart = text.replace(
        "- staff: evelyn.hart@cedar-vet.example.org\n  days:",
        "- staff: casey.morgan@cedar-vet.example.org\n  days:",
        1,
    )
    assert no_hart != text
    answer = admin.post(API, json={"text": no_hart, "dry_run": True}).json()
    assert answer["changes"] == [] and answer["refusals"]
    assert all("removes the shift of a booked visit" in r for r in answer["refusals"])


def test_only_the_admins_own_practice_and_only_admins(app: FastAPI, sqlite_engine: Engine) -> None:
    cedar = signed_in(app, ADMIN).get(API).text
    other = signed_in(app, OTHER_ADMIN)
    answer = other.post(API, json={"text": cedar.replace("Cedar Veterinary", "Hijacked")}).json()
    assert answer["problems"][0]["where"] == "slug"
    assert "harbor-surgical-oncology" not in cedar
    nurse = signed_in(app, NURSE)
    assert nurse.get(API).status_code == 403
    assert nurse.post(API, json={"text": cedar}).status_code == 403
    assert nurse.get("/admin/practice", follow_redirects=False).status_code == 403
    with make_session_factory(sqlite_engine)() as session:
        names = set(session.scalars(select(Practice.name)))
    assert "Hijacked Oncology" not in names and "Cedar Veterinary Oncology" in names

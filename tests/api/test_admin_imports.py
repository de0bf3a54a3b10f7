"""The records import from the admin page (issue 19): an admin of a practice uploads the CSV
exports and gets the same report as the command line; a dry run writes nothing, an import is
audited with the admin as actor, the records go into the admin's own practice only, and the
upload has a limit of its own (larger than the app's, and the app's stays small)."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.routes.admin_imports import API, MAX_UPLOAD_BYTES
from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, Contact, LabResult, Patient, Practice, StaffUser
from assistant.safety.triage import Triage
from assistant.settings import ROOT
from tests.api.conftest import demo_app
from tests.api.test_nurse import signed_in
from tests.conftest import with_demo_data
from tests.support.records import imported_here

SAMPLE = ROOT / "examples" / "records" / "cedar-vet"
SAMPLE_FILES = ("clients.csv", "patients.csv", "links.csv", "appointments.csv", "labs.csv")
VET_ADMIN = "pat.sullivan@cedar-vet.example.org"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"
SURGICAL_ADMIN = "dana.whitaker@harbor-surgical.example.org"
# What the sample holds (tests/assistant/imports/test_sample.py).
EXPECTED = {"clients": 20, "patients": 22, "links": 23, "appointments": 8, "labs": 4}
CLIENTS_HEADER = "Client ID,First Name,Last Name,Mobile Phone,SMS Opt In"


@pytest.fixture
def app(sqlite_engine: Engine, triage: Triage) -> FastAPI:
    return demo_app(with_demo_data(sqlite_engine), triage, public_base_url="http://testserver")


Upload = tuple[str, tuple[str, bytes, str]]


def sample() -> list[Upload]:
    files = [("files", (name, (SAMPLE / name).read_bytes(), "text/csv")) for name in SAMPLE_FILES]
    mapping = (SAMPLE / "mapping.yml").read_bytes()
    return [*files, ("mapping", ("mapping.yml", mapping, "application/yaml"))]


def csv_upload(name: str, *lines: str) -> Upload:
    return ("files", (name, "\n".join([*lines, ""]).encode(), "text/csv"))


def upload(
    client: TestClient, files: list[Upload], *, dry_run: bool, **fields: str
) -> httpx.Response:
    data = {"dry_run": "true" if dry_run else "false", **fields}
    return client.post(API, files=files, data=data)


def created(report: dict[str, Any]) -> dict[str, int]:
    return {kind: counts["created"] for kind, counts in report["counts"].items()}


def imported_rows(engine: Engine, slug: str | None = None) -> dict[str, int]:
    """How many rows carry a source id, per table (in one practice, when named)."""
    with make_session_factory(engine)() as session:
        out = {}
        for model in (Contact, Patient, LabResult):
            query = select(func.count()).select_from(model).where(imported_here(model))
            if slug is not None:
                practice = select(Practice.id).where(Practice.slug == slug).scalar_subquery()
                query = query.where(model.practice_id == practice)
            out[model.__tablename__] = session.scalar(query) or 0
        return out


def import_audits(engine: Engine) -> list[tuple[str, int | None, dict[str, Any]]]:
    with make_session_factory(engine)() as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action == "records.imported").order_by(AuditLog.id)
        )
        return [(row.actor, row.practice_id, row.details) for row in rows]


def staff_id(engine: Engine, email: str) -> int:
    with make_session_factory(engine)() as session:
        return session.scalars(select(StaffUser.id).where(StaffUser.email == email)).one()


NOTHING = {"contact": 0, "patient": 0, "lab_result": 0}


def test_an_admins_dry_run_returns_the_report_and_writes_nothing(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    response = upload(signed_in(app, VET_ADMIN), sample(), dry_run=True)

    assert response.status_code == 200, response.text
    report = response.json()
    assert created(report) == EXPECTED
    assert report["refused_rows"] == []
    assert (report["dry_run"], report["applied"]) == (True, False)
    assert report["files"] == list(SAMPLE_FILES)
    assert imported_rows(sqlite_engine) == NOTHING
    assert import_audits(sqlite_engine) == []  # as on the command line: not even the audit row


def test_an_import_writes_and_a_second_finds_everything_unchanged(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    admin = signed_in(app, VET_ADMIN)

    first = upload(admin, sample(), dry_run=False)
    again = upload(admin, sample(), dry_run=False)

    assert first.status_code == 200, first.text
    assert first.json()["applied"] is True and created(first.json()) == EXPECTED
    assert again.status_code == 200, again.text
    unchanged = {kind: c["unchanged"] for kind, c in again.json()["counts"].items()}
    assert unchanged == EXPECTED
    assert all(
        c["created"] == c["updated"] == c["refused"] == 0 for c in again.json()["counts"].values()
    )
    assert imported_rows(sqlite_engine, "cedar-vet-oncology") == {
        "contact": 20,
        "patient": 22,
        "lab_result": 4,
    }
    audits = import_audits(sqlite_engine)
    actor = f"staff:{staff_id(sqlite_engine, VET_ADMIN)}"
    assert [(who, details["applied"]) for who, _, details in audits] == [(actor, True)] * 2


def test_a_bad_row_is_reported_with_its_file_line_and_reason_and_the_good_rows_go_in(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    clients = csv_upload(
        "clients-december.csv",
        CLIENTS_HEADER,
        "C-1,Ada,Byrne,(312) 555-0188,Y",
        "C-2,Bo,Cole,not a number,Y",
    )

    response = upload(signed_in(app, VET_ADMIN), [clients], dry_run=False)

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["refused_rows"] == [
        {
            "file": "clients-december.csv",
            "line": 3,
            "reason": "bad phone number 'not a number': not a valid number in US",
        }
    ]
    assert report["counts"]["clients"] == {"created": 1, "updated": 0, "unchanged": 0, "refused": 1}
    assert imported_rows(sqlite_engine)["contact"] == 1


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    clients = csv_upload(
        "clients.csv", CLIENTS_HEADER, "C-1,Ada,Byrne,(312) 555-0188,Y", "C-2,Bo,Cole,,Y"
    )

    response = upload(signed_in(app, VET_ADMIN), [clients], dry_run=False, all_or_nothing="true")

    assert response.status_code == 200, response.text
    assert response.json()["applied"] is False
    assert response.json()["refused_rows"][0]["line"] == 3
    assert imported_rows(sqlite_engine) == NOTHING
    assert [details["applied"] for _, _, details in import_audits(sqlite_engine)] == [False]


def test_a_file_that_cannot_be_read_refuses_the_import_with_its_reason(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    admin = signed_in(app, VET_ADMIN)
    good = csv_upload("clients.csv", CLIENTS_HEADER, "C-1,Ada,Byrne,(312) 555-0188,Y")

    unknown_kind = upload(admin, [good, csv_upload("notes.csv", "a,b")], dry_run=False)
    no_column = upload(admin, [csv_upload("patients.csv", "Patient ID", "P-1")], dry_run=False)
    bad_mapping = upload(
        admin, [good, ("mapping", ("map.yml", b"colums: {}", "application/yaml"))], dry_run=False
    )

    assert unknown_kind.status_code == 422
    assert "notes.csv: cannot tell which export this is" in unknown_kind.json()["detail"]
    assert no_column.status_code == 422
    assert "missing required column 'Patient Name'" in no_column.json()["detail"]
    assert bad_mapping.status_code == 422
    assert "map.yml: unknown key 'colums'" in bad_mapping.json()["detail"]
    assert imported_rows(sqlite_engine) == NOTHING
    assert import_audits(sqlite_engine) == []


def test_only_admins_may_import(app: FastAPI, sqlite_engine: Engine) -> None:
    nurse = upload(signed_in(app, VET_NURSE), sample(), dry_run=False)
    anonymous = upload(TestClient(app), sample(), dry_run=False)
    nurse_page = signed_in(app, VET_NURSE).get("/admin/imports")
    anonymous_page = TestClient(app).get("/admin/imports", follow_redirects=False)
    admin_page = signed_in(app, VET_ADMIN).get("/admin/imports")

    assert nurse.status_code == 403
    assert anonymous.status_code == 401
    assert nurse_page.status_code == 403
    assert anonymous_page.status_code == 303
    assert admin_page.status_code == 200 and "import records" in admin_page.text
    assert imported_rows(sqlite_engine) == NOTHING


def test_another_practices_admin_imports_only_into_their_own_practice(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    clients = csv_upload("clients.csv", CLIENTS_HEADER, "C-1,Ada,Byrne,(617) 555-0188,Y")

    # A practice named in the form is not a parameter of the route: it is ignored.
    response = upload(
        signed_in(app, SURGICAL_ADMIN), [clients], dry_run=False, practice="cedar-vet-oncology"
    )

    assert response.status_code == 200, response.text
    assert imported_rows(sqlite_engine, "harbor-surgical-oncology")["contact"] == 1
    assert imported_rows(sqlite_engine, "cedar-vet-oncology")["contact"] == 0
    with make_session_factory(sqlite_engine)() as session:
        harbor = session.scalars(
            select(Practice.id).where(Practice.slug == "harbor-surgical-oncology")
        ).one()
    assert [practice for _, practice, _ in import_audits(sqlite_engine)] == [harbor]


def test_a_too_large_upload_gets_413_and_nothing_is_written(
    app: FastAPI, sqlite_engine: Engine
) -> None:
    admin = signed_in(app, VET_ADMIN)
    row = "C-1,Ada,Byrne,(312) 555-0188,Y\n"
    big = CLIENTS_HEADER + "\n" + row * (MAX_UPLOAD_BYTES // len(row) + 1)

    response = admin.post(
        API, files=[("files", ("clients.csv", big.encode(), "text/csv"))], data={"dry_run": "false"}
    )

    assert response.status_code == 413
    assert response.json()["detail"].startswith("the upload is larger than 10 MB in all")
    assert imported_rows(sqlite_engine) == NOTHING
    assert import_audits(sqlite_engine) == []


def test_the_import_has_its_own_limit_and_every_other_route_keeps_the_small_one(
    app: FastAPI,
) -> None:
    admin = signed_in(app, VET_ADMIN)
    rows = [f"C-{i},Ada,Byrne,(312) 555-{i % 10000:04d},Y" for i in range(2000)]  # ~70 KB

    imported = upload(admin, [csv_upload("clients.csv", CLIENTS_HEADER, *rows)], dry_run=True)
    elsewhere = admin.post("/api/v1/admin/staff", json={"name": "x" * 70_000})

    assert imported.status_code == 200, imported.text
    assert elsewhere.status_code == 413 and "64 KB" in elsewhere.json()["detail"]


def test_a_request_from_another_site_is_refused(app: FastAPI, sqlite_engine: Engine) -> None:
    admin = signed_in(app, VET_ADMIN)

    response = admin.post(
        API,
        files=sample(),
        data={"dry_run": "false"},
        headers={"Origin": "https://attacker.example"},
    )

    assert response.status_code == 403
    assert imported_rows(sqlite_engine) == NOTHING


def test_imports_are_rate_limited_per_practice(sqlite_engine: Engine, triage: Triage) -> None:
    app = demo_app(
        with_demo_data(sqlite_engine),
        triage,
        public_base_url="http://testserver",
        record_imports_per_practice="2/minute",
    )
    admin = signed_in(app, VET_ADMIN)
    clients = csv_upload("clients.csv", CLIENTS_HEADER, "C-1,Ada,Byrne,(312) 555-0188,Y")

    answers = [upload(admin, [clients], dry_run=True).status_code for _ in range(3)]
    other_practice = upload(signed_in(app, SURGICAL_ADMIN), [clients], dry_run=True)

    assert answers == [200, 200, 429]
    assert other_practice.status_code == 200

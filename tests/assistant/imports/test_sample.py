"""The sample export imports cleanly; importing it again changes no row."""

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentTimeClaim,
    AuditLog,
    Contact,
    ContactPatient,
    LabResult,
    Patient,
    StaffUser,
)
from assistant.demo import load_demo_data
from tests.assistant.imports.conftest import NOW, TODAY, cedar, local, run_import
from tests.support.records import imported_here

EXPECTED = {
    "clients": 20,
    "patients": 22,
    "links": 23,
    "appointments": 8,
    "labs": 4,
}
TABLES: tuple[Any, ...] = (
    Contact,
    Patient,
    ContactPatient,
    Appointment,
    AppointmentTimeClaim,
    LabResult,
)


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every column of every row the import can touch."""
    session.expire_all()
    out = {}
    for model in TABLES:
        columns = [c.key for c in model.__table__.columns]
        rows = session.scalars(select(model)).all()
        out[model.__tablename__] = sorted(tuple(repr(getattr(r, c)) for c in columns) for r in rows)
    return out


def test_the_sample_imports_cleanly(demo: Session) -> None:
    report = run_import(demo)

    assert report.problems == []
    assert report.applied
    assert {kind: c["created"] for kind, c in report.counts.items()} == EXPECTED
    assert all(c["refused"] == c["updated"] == c["unchanged"] == 0 for c in report.counts.values())
    practice = cedar(demo)
    brennan = demo.scalars(select(Contact).where(Contact.source_id == "C-1001")).one()
    assert (brennan.phone, brennan.consent) == ("+12245550140", "opted_in")
    consent = dict(demo.execute(select(Contact.source_id, Contact.consent)).all())
    assert consent["C-1004"] == "opted_out"  # "N"
    assert consent["C-1005"] == "unknown"  # left blank
    maple = demo.scalars(select(Patient).where(Patient.source_id == "P-2001")).one()
    assert (maple.kind, maple.species, maple.date_of_birth.isoformat()) == (
        "animal",
        "dog",
        "2016-04-12",
    )
    visits = {
        a.source_id: a for a in demo.scalars(select(Appointment).where(imported_here(Appointment)))
    }
    chemo = visits["A-7001"]
    hart = demo.scalars(select(StaffUser).where(StaffUser.email.startswith("evelyn.hart"))).one()
    assert chemo.practice_id == practice.id and chemo.clinician_id == hart.id
    assert chemo.starts_at == local(TODAY.replace(day=15), "16:00")  # 4 pm in Chicago
    assert chemo.status == "booked"
    assert visits["A-7007"].status == "cancelled"
    assert visits["A-6990"].status == "completed"
    assert visits["A-6990"].completed_at == visits["A-6990"].ends_at
    claims = demo.scalars(
        select(AppointmentTimeClaim).where(AppointmentTimeClaim.appointment_id == chemo.id)
    ).all()
    assert len(claims) == 12  # the hour is held like any booking
    labs = dict(
        demo.execute(
            select(LabResult.source_id, LabResult.test_code).where(imported_here(LabResult))
        ).all()
    )
    assert labs == {"R-9001": "cbc", "R-9002": "chemistry", "R-9003": "cbc", "R-9004": "urinalysis"}


def test_importing_it_again_reports_everything_unchanged_and_changes_no_row(
    demo: Session,
) -> None:
    run_import(demo)
    before = _snapshot(demo)

    again = run_import(demo, now=NOW.replace(hour=NOW.hour + 1))

    assert {kind: c["unchanged"] for kind, c in again.counts.items()} == EXPECTED
    assert again.problems == [] and again.applied
    assert _snapshot(demo) == before
    audits = demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).all()
    assert [a.actor for a in audits] == ["cli", "cli"]
    assert audits[1].details["counts"]["appointments"]["unchanged"] == 8


def test_a_dry_run_reports_the_same_and_writes_nothing(demo: Session) -> None:
    before = _snapshot(demo)

    report = run_import(demo, dry_run=True)

    assert {kind: c["created"] for kind, c in report.counts.items()} == EXPECTED
    assert not report.applied
    assert _snapshot(demo) == before
    assert demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).all() == []


def test_the_sample_imports_on_postgresql_too(postgres_engine: Engine) -> None:
    factory = make_session_factory(postgres_engine)
    with factory() as loader:
        load_demo_data(loader, today=TODAY)
        loader.commit()
    with factory() as session:
        first = run_import(session)
        again = run_import(session)

    assert {kind: c["created"] for kind, c in first.counts.items()} == EXPECTED
    assert {kind: c["unchanged"] for kind, c in again.counts.items()} == EXPECTED

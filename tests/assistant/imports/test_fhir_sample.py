"""The sample FHIR Bundle imports into Harbor Surgical Oncology with the expected counts, and
importing it again reports everything unchanged and changes no row."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import (
    Appointment,
    AppointmentType,
    AuditLog,
    Contact,
    ContactPatient,
    LabResult,
    Patient,
    Practice,
    StaffUser,
)
from assistant.demo import load_demo_data
from assistant.imports.fhir.run import import_bundles, read_bundle_files
from assistant.imports.report import ImportReport
from tests.assistant.imports.conftest import NOW, TODAY
from tests.assistant.imports.fhir_support import HARBOR, SAMPLE_BUNDLE, options
from tests.assistant.imports.test_sample import _snapshot
from tests.support.records import imported_here

EXPECTED = {
    "staff": {"created": 0, "updated": 3, "unchanged": 0, "refused": 0},
    "clients": {"created": 4, "updated": 0, "unchanged": 0, "refused": 0},
    "patients": {"created": 2, "updated": 0, "unchanged": 0, "refused": 0},
    "links": {"created": 4, "updated": 0, "unchanged": 0, "refused": 0},
    "appointments": {"created": 3, "updated": 0, "unchanged": 0, "refused": 0},
    "labs": {"created": 1, "updated": 0, "unchanged": 0, "refused": 0},
}


def harbor(session: Session) -> Practice:
    return session.scalars(select(Practice).where(Practice.slug == HARBOR)).one()


def import_sample(session: Session, **opts: object) -> ImportReport:
    return import_bundles(
        session,
        practice=harbor(session),
        bundles=read_bundle_files([SAMPLE_BUNDLE]),
        options=options(**opts),
    )


def _new_york(day: int, hhmm: str) -> datetime:
    at = datetime.combine(date(2026, 12, day), time.fromisoformat(hhmm))
    return at.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


def _type(session: Session, appointment: Appointment) -> str:
    return session.get_one(AppointmentType, appointment.appointment_type_id).code


def test_the_sample_bundle_imports_with_the_expected_counts(demo: Session) -> None:
    report = import_sample(demo)

    assert report.problems == []
    assert report.applied
    assert report.counts == EXPECTED
    assert report.resources_read == {
        "Practitioner": 3,
        "Patient": 2,
        "RelatedPerson": 2,
        "Schedule": 1,
        "Slot": 2,
        "Appointment": 4,
        "Observation": 2,
    }
    assert "Appointment/examplereq: proposed, not a booking yet; not imported" in report.notes
    assert any(n.startswith("Observation/example: no lab test of ours") for n in report.notes)
    assert any("Slot 2 read, not applied" in n for n in report.notes)

    practice = harbor(demo)
    staff = dict(
        demo.execute(
            select(StaffUser.email, StaffUser.source_id).where(
                StaffUser.practice_id == practice.id,
                imported_here(StaffUser),
            )
        ).all()
    )
    assert staff == {
        "nathaniel.osei@harbor-surgical.example.org": "Practitioner/example",
        "laura.kim@harbor-surgical.example.org": "Practitioner/f201",
        "beth.ramsey@harbor-surgical.example.org": "Practitioner/f203",
    }
    peter = demo.scalars(select(Patient).where(Patient.source_id == "Patient/example")).one()
    assert (peter.name, peter.kind, peter.date_of_birth) == (
        "Peter James Chalmers",
        "human",
        date(1974, 12, 25),
    )
    contacts = {
        c.source_id: (c.first_name, c.last_name, c.phone, c.consent)
        for c in demo.scalars(select(Contact).where(imported_here(Contact)))
    }
    assert contacts == {  # the mobile (rank 2), not the work number; consent not stated
        "Patient/example": ("Peter James", "Chalmers", "+16175550141", "unknown"),
        "Patient/f001": ("Pieter", "van de Heuvel", "+16175550144", "unknown"),
        "RelatedPerson/benedicte": ("Bénédicte", "du Marché", "+16175550143", "unknown"),
        "RelatedPerson/f001": ("Sarah", "Abels", "+16175550145", "unknown"),
    }
    links = {
        (link.contact.source_id, link.relationship_kind)
        for link in demo.scalars(
            select(ContactPatient).where(ContactPatient.patient_id == peter.id)
        )
    }
    assert links == {("Patient/example", "self"), ("RelatedPerson/benedicte", "caregiver")}
    visits = {
        a.source_id: a for a in demo.scalars(select(Appointment).where(imported_here(Appointment)))
    }
    assert set(visits) == {"Appointment/example", "Appointment/2docs", "Appointment/f001-drain"}
    postop = visits["Appointment/example"]
    assert postop.starts_at == _new_york(16, "10:00") and postop.status == "booked"
    assert _type(demo, postop) == "postop_visit"  # FOLLOWUP, through the mapping file
    assert postop.clinician_id == next(
        s.id for s in demo.scalars(select(StaffUser)) if s.source_id == "Practitioner/example"
    )
    assert _type(demo, visits["Appointment/2docs"]) == "med_onc_referral"  # our code as is
    assert visits["Appointment/f001-drain"].status == "booked"  # FHIR `pending`
    cbc = demo.scalars(select(LabResult).where(imported_here(LabResult))).one()
    assert (cbc.source_id, cbc.test_code, cbc.collected_at) == (
        "Observation/f001",
        "cbc",
        _new_york(4, "09:30:10"),
    )


def test_importing_it_again_reports_everything_unchanged_and_changes_no_row(
    demo: Session,
) -> None:
    import_sample(demo)
    before = _snapshot(demo)
    staff_before = sorted(demo.execute(select(StaffUser.id, StaffUser.source_id)).all())

    again = import_sample(demo, now=NOW.replace(hour=NOW.hour + 1))

    assert again.problems == [] and again.applied
    assert {kind: c["unchanged"] for kind, c in again.counts.items()} == {
        kind: c["created"] + c["updated"] for kind, c in EXPECTED.items()
    }
    assert _snapshot(demo) == before
    assert sorted(demo.execute(select(StaffUser.id, StaffUser.source_id)).all()) == staff_before
    audits = demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).all()
    assert len(audits) == 2
    assert audits[0].details["resources_read"]["Appointment"] == 4


def test_the_sample_bundle_imports_on_postgresql_too(postgres_engine: Engine) -> None:
    factory = make_session_factory(postgres_engine)
    with factory() as loader:
        load_demo_data(loader, today=TODAY)
        loader.commit()
    with factory() as session:
        first = import_sample(session)
        again = import_sample(session)

    assert first.problems == [] and first.counts == EXPECTED
    assert {kind: c["unchanged"] for kind, c in again.counts.items()} == {
        kind: c["created"] + c["updated"] for kind, c in EXPECTED.items()
    }

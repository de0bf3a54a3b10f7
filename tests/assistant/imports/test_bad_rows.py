"""Bad input: each refused row is reported with its file, line and reason; the others are
applied, or none with all_or_nothing; a file without a required column refuses the import."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Appointment, AuditLog, Contact
from assistant.errors import Invalid
from assistant.imports.csv_files import FileRefused
from assistant.imports.mapping import mapping_from_text
from assistant.imports.report import Problem
from tests.assistant.imports.conftest import (
    csv_file,
    run_import,
    sample_file,
)

CLIENTS = "Client ID,First Name,Last Name,Mobile Phone,SMS Opt In"


def _twenty_clients(bad_row: int) -> list[str]:
    rows = [f"X-{n},Given{n},Family{n},(847) 555-01{n + 60:02d},Y" for n in range(20)]
    rows[bad_row] = f"X-{bad_row},Given,Family,555-01,Y"  # no area code
    return rows


def _imported_clients(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Contact).where(Contact.source_id.like("X-%"))
    )


def test_one_bad_row_of_twenty_is_reported_and_the_other_nineteen_are_imported(
    demo: Session,
) -> None:
    report = run_import(demo, [csv_file("clients.csv", CLIENTS, *_twenty_clients(6))])

    # The header is line 1, so the seventh row is on line 8.
    assert report.problems == [
        Problem("clients.csv", 8, "bad phone number '555-01': not a valid number in US")
    ]
    assert report.counts["clients"] == {"created": 19, "updated": 0, "unchanged": 0, "refused": 1}
    assert report.applied
    assert _imported_clients(demo) == 19


def test_with_all_or_nothing_none_of_them_is_imported(demo: Session) -> None:
    report = run_import(
        demo, [csv_file("clients.csv", CLIENTS, *_twenty_clients(6))], all_or_nothing=True
    )

    assert [(p.file, p.line) for p in report.problems] == [("clients.csv", 8)]
    assert not report.applied
    assert _imported_clients(demo) == 0
    assert any("nothing was written" in line for line in report.lines())
    audit = demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).one()
    assert audit.details["applied"] is False and audit.details["refused_rows"] == ["clients.csv:8"]


APPOINTMENTS = "Appt ID,Patient ID,Date,Time,Type,Provider,Status"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "B-1,P-9999,12/15/2026,4:00 PM,Recheck,Dr. Evelyn Hart,Scheduled",
            "unknown patient id 'P-9999'",
        ),
        (
            "B-1,P-2001,12/15/2026,4:00 PM,Acupuncture,Dr. Evelyn Hart,Scheduled",
            "unknown appointment type 'Acupuncture'",
        ),
        (
            "B-1,P-2001,02/30/2026,4:00 PM,Recheck,Dr. Evelyn Hart,Scheduled",
            "'02/30/2026' is not a date",
        ),
        (
            "B-1,P-2001,12/15/2026,25:00,Recheck,Dr. Evelyn Hart,Scheduled",
            "'25:00' is not a time of day",
        ),
        (
            # A-7001 holds Dr. Hart from 4 to 5 pm that day.
            "B-1,P-2003,12/15/2026,4:30 PM,Recheck,Dr. Evelyn Hart,Scheduled",
            "overlaps another booking of evelyn.hart@cedar-vet.example.org at 2026-12-15 16:30",
        ),
        (
            "B-1,P-2003,12/15/2026,7:00 PM,Recheck,Dr. Evelyn Hart,Scheduled",
            "that time is outside the clinician's shift",
        ),
        (
            "B-1,P-2003,12/15/2026,2:00 PM,Recheck,Dr. Who,Scheduled",
            "unknown provider 'Dr. Who'",
        ),
        (
            "B-1,P-2003,12/15/2026,2:00 PM,Recheck,Dr. Evelyn Hart,Tentative",
            "unknown appointment status 'Tentative'",
        ),
        ("B-1,,12/15/2026,2:00 PM,Recheck,Dr. Evelyn Hart,Scheduled", "no Patient ID"),
    ],
)
def test_each_bad_appointment_row_says_why(demo: Session, row: str, reason: str) -> None:
    run_import(demo)
    good = "B-2,P-2003,12/15/2026,2:00 PM,Recheck,Dr. Evelyn Hart,Scheduled"

    report = run_import(demo, [csv_file("appointments.csv", APPOINTMENTS, good, row)])

    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.file, problem.line) == ("appointments.csv", 3)
    assert reason in problem.reason
    assert report.counts["appointments"]["created"] == 1
    assert (
        demo.scalars(select(Appointment.source_id).where(Appointment.source_id == "B-1")).all()
        == []
    )


def test_a_visit_in_the_past_is_recorded_as_history(demo: Session) -> None:
    run_import(demo)
    past = "B-1,P-2003,11/02/2026,9:00 AM,Recheck,Dr. Evelyn Hart,Scheduled"

    report = run_import(demo, [csv_file("appointments.csv", APPOINTMENTS, past)])

    assert report.problems == [] and report.counts["appointments"]["created"] == 1


def test_a_missing_required_column_is_one_clear_error_and_nothing_is_written(
    demo: Session,
) -> None:
    without_last_name = csv_file(
        "clients.csv", "Client ID,First Name,Mobile Phone", "X-1,Ann,(847) 555-0160"
    )

    with pytest.raises(FileRefused) as refused:
        run_import(demo, [sample_file("patients.csv"), without_last_name])

    assert str(refused.value).startswith("clients.csv: missing required column 'Last Name'")
    assert _imported_clients(demo) == 0
    assert demo.scalars(select(AuditLog).where(AuditLog.action == "records.imported")).all() == []


def test_a_file_of_no_known_kind_is_refused(demo: Session) -> None:
    with pytest.raises(FileRefused, match="cannot tell which export"):
        run_import(demo, [csv_file("invoices.csv", "Invoice,Total", "1,2")])


def test_a_renamed_column_is_read_through_the_mapping(demo: Session) -> None:
    mapping = mapping_from_text("columns:\n  clients:\n    phone: Cell\n", name="m.yml")
    file = csv_file("clients.csv", "Client ID,First Name,Last Name,Cell", "X-1,A,B,8475550160")
    from assistant.imports.run import import_exports
    from tests.assistant.imports.conftest import NOW, cedar

    report = import_exports(
        demo, practice=cedar(demo), files=[file], mapping=mapping, now=NOW, actor="cli"
    )

    assert report.counts["clients"]["created"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums: {}", "unknown key 'colums'"),
        ("columns:\n  clients:\n    mobile: Cell\n", "unknown field 'mobile'"),
        ("statuses:\n  Done: finished\n", "'done' maps to 'finished'"),
        ("- a list", "expected keys"),
    ],
)
def test_a_wrong_mapping_file_is_refused_with_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        mapping_from_text(text, name="mapping.yml")

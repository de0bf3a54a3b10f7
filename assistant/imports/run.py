"""One import: read every file, apply its records in one transaction, report, audit.
The FHIR import (`assistant.imports.fhir`) reads Bundles instead and shares the rest.

Files are read first; a file that cannot be read at all (a missing column, the wrong
encoding) refuses the whole import. Then the records are applied kind by kind (clients,
patients, links, appointments, labs), each row in a savepoint, so a refused row leaves
nothing behind. The good rows are committed unless it is a dry run, or `all_or_nothing`
was asked and some row was refused: then nothing is.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.audit import record as audit
from assistant.db.models import Practice
from assistant.imports.csv_files import Context, FileRefused, kind_of, read_export
from assistant.imports.mapping import Mapping
from assistant.imports.records import (
    KINDS,
    RECORD_KINDS,
    AppointmentRecord,
    ContactRecord,
    LabResultRecord,
    LinkRecord,
    PatientRecord,
    Record,
    StaffRecord,
)
from assistant.imports.report import ImportReport, Outcome
from assistant.imports.upsert import (
    RowRefused,
    apply_contact,
    apply_lab_result,
    apply_link,
    apply_patient,
    apply_staff,
)
from assistant.imports.values import practice_country
from assistant.imports.visits import apply_appointment
from assistant.scheduling.booking import BookingError

AUDIT_ACTION = "records.imported"

Apply = Callable[..., Outcome]
_KIND_OF_RECORD: dict[type, str] = {
    StaffRecord: "staff",
    ContactRecord: "clients",
    PatientRecord: "patients",
    LinkRecord: "links",
    AppointmentRecord: "appointments",
    LabResultRecord: "labs",
}
_APPLY: dict[str, Apply] = {
    "staff": apply_staff,
    "clients": apply_contact,
    "patients": apply_patient,
    "links": apply_link,
    "appointments": apply_appointment,
    "labs": apply_lab_result,
}


def records_by_kind(records: Iterable[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {kind: [] for kind in RECORD_KINDS}
    for rec in records:
        out[_KIND_OF_RECORD[type(rec)]].append(rec)
    return out


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes


def export_files(paths: Iterable[Path]) -> list[ExportFile]:
    """The files named, and every *.csv file in a directory named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        elif path.is_file():
            found.append(path)
        else:
            raise FileRefused(f"{path}: no such file or directory")
    return [ExportFile(p.name, p.read_bytes()) for p in found]


def import_exports(
    session: Session,
    *,
    practice: Practice,
    files: list[ExportFile],
    mapping: Mapping,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
) -> ImportReport:
    """Import `files` into `practice`; commits (or rolls back) and returns the report. Raises
    FileRefused, with nothing written, when a file cannot be read at all."""
    if not files:
        raise FileRefused("no CSV files given")
    context = Context(
        zone=ZoneInfo(practice.timezone),
        country=mapping.country or practice_country(practice.phone),
        now=now,
    )
    report = ImportReport(
        files=[f.name for f in files], dry_run=dry_run, all_or_nothing=all_or_nothing
    )
    by_kind: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for export in files:
        kind = kind_of(export.name, mapping)
        if kind is None:
            raise FileRefused(
                f"{export.name}: cannot tell which export this is; name it clients*.csv, "
                "patients*.csv, links*.csv, appointments*.csv or labs*.csv, or set files: "
                "in the mapping file"
            )
        contents = read_export(
            export.data, name=export.name, kind=kind, mapping=mapping, context=context
        )
        for problem_kind, problem in contents.problems:
            report.count(problem_kind, "refused")
            report.problems.append(problem)
        for rec in contents.records:
            by_kind[_KIND_OF_RECORD[type(rec)]].append(rec)

    apply_records(session, practice, by_kind, report, now=now, actor=actor)
    return finish(session, practice, report, actor=actor)


def apply_records(
    session: Session,
    practice: Practice,
    by_kind: dict[str, list[Record]],
    report: ImportReport,
    *,
    now: datetime,
    actor: str,
) -> None:
    """Apply the records kind by kind (staff, clients, patients, links, appointments, labs),
    each in a savepoint, counting each outcome in `report`; commits nothing."""
    practice_id, slug = practice.id, practice.slug
    # A write first: it holds the practice's row, so two imports into one practice take
    # turns, and on SQLite it opens the transaction (pysqlite begins one only at a write), so
    # the rows' savepoints nest inside it instead of each committing on its own.
    session.execute(update(Practice).where(Practice.id == practice_id).values(slug=slug))
    for kind in RECORD_KINDS:
        seen: dict[Any, Record] = {}
        for rec in by_kind.get(kind, []):
            first = seen.setdefault(_identity(rec), rec)
            if first is not rec:
                if _same_link(first, rec):  # a patient report and a link report agree
                    report.count(kind, "unchanged")
                else:
                    report.refuse(kind, rec.origin, f"{_named(rec)} appears again ({_at(first)})")
                continue
            try:
                with session.begin_nested():
                    outcome = _APPLY[kind](session, practice, rec, now=now, actor=actor)
            except (RowRefused, BookingError) as exc:
                report.refuse(kind, rec.origin, str(exc))
            except IntegrityError:
                report.refuse(kind, rec.origin, "conflicts with a record already stored")
            else:
                report.count(kind, outcome)
    report.problems.sort(key=lambda p: (p.file, p.line))


def finish(
    session: Session,
    practice: Practice,
    report: ImportReport,
    *,
    actor: str,
    when_applied: Callable[[], None] | None = None,
) -> ImportReport:
    """Commit the applied records, or roll them back (a dry run, or all-or-nothing with a
    refusal), and audit the import unless it was a dry run. `when_applied` runs in the same
    transaction just before an applied import commits."""
    practice_id, slug = practice.id, practice.slug
    report.applied = not report.dry_run and not (report.all_or_nothing and report.refused)
    if not report.applied:
        session.rollback()
    elif when_applied is not None:
        when_applied()
    if not report.dry_run:  # what was imported, or tried, stays in the audit log
        audit(
            session,
            practice_id=practice_id,
            actor=actor,
            action=AUDIT_ACTION,
            entity=session.get_one(Practice, practice_id),
            details={"practice": slug, **report.summary()},
        )
    session.commit()
    return report


def _identity(rec: Record) -> Any:
    if isinstance(rec, LinkRecord):
        return (rec.client_source_id, rec.patient_source_id)
    return rec.source_id


def _same_link(first: Record, again: Record) -> bool:
    return (
        isinstance(first, LinkRecord)
        and isinstance(again, LinkRecord)
        and first.relationship == again.relationship
    )


def _at(rec: Record) -> str:
    if rec.origin.resource is not None:
        return f"{rec.origin.file} entry {rec.origin.line}"
    return f"{rec.origin.file} line {rec.origin.line}"


def _named(rec: Record) -> str:
    if isinstance(rec, LinkRecord):
        return f"the link of client {rec.client_source_id!r} to patient {rec.patient_source_id!r}"
    return f"id {rec.source_id!r}"

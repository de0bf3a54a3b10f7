"""`python -m assistant export ...`: the exports of the api's /api/v1/exports routes, written
to a file. `--by` names the staff member taking it: their role must allow it, it covers their
own practice only, and it is audited under their name like an export from the dashboard."""

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import StaffUser
from assistant.errors import Refused
from assistant.exports.formats import BOOKING_FORMATS, PATIENT_FORMATS
from assistant.settings import get_settings
from assistant.staff.auth import staff_by_email

if TYPE_CHECKING:
    from assistant.exports.export_files import ExportFile


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    export = commands.add_parser("export", help="records out: patient CSV/PDF, FHIR, bookings")
    kinds = export.add_subparsers(dest="export_command", required=True)
    patient = kinds.add_parser("patient", help="one patient's resolved cases (CSV or PDF)")
    patient.add_argument("patient_id", type=int)
    patient.add_argument("--format", required=True, choices=PATIENT_FORMATS)
    case = kinds.add_parser("case", help="one resolved case as a FHIR Communication")
    case.add_argument("case_id", type=int)
    cases = kinds.add_parser("cases", help="the practice's resolved cases as a FHIR Bundle")
    bookings = kinds.add_parser("bookings", help="visits booked, moved, cancelled by text")
    bookings.add_argument("--format", required=True, choices=BOOKING_FORMATS)
    for command in (patient, case, cases, bookings):
        command.add_argument("--by", required=True, help="your staff e-mail")
        command.add_argument("--out", help="file to write (default: the export's own name)")
    for command, required in ((patient, False), (cases, True), (bookings, True)):
        command.add_argument("--from", dest="first", type=date.fromisoformat, required=required)
        command.add_argument("--to", dest="last", type=date.fromisoformat, required=required)


def run(args: argparse.Namespace) -> int:
    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            staff = staff_by_email(session, args.by)
            if staff is None or not staff.active:
                print(f"no active account {args.by!r}", file=sys.stderr)
                return 2
            try:
                export = _export(session, staff, args)
                target = Path(args.out or export.filename)
                if target.exists():
                    raise FileExistsError(f"{target} exists already: name another with --out")
                # Audited before the file is written: a copy is never unrecorded.
                session.commit()
                _write_new(target, export)
            except (Refused, FileExistsError) as refusal:
                print(str(refusal), file=sys.stderr)
                return 2
    finally:
        engine.dispose()
    print(f"wrote {target} ({len(export.content)} bytes)")
    return 0


def _export(session: Session, staff: StaffUser, args: argparse.Namespace) -> "ExportFile":
    from assistant.exports import export_files  # FHIR models and fpdf2: only when exporting

    command = args.export_command
    if command == "patient":
        return export_files.patient_record(
            session,
            staff=staff,
            patient_id=args.patient_id,
            file_format=args.format,
            first=args.first,
            last=args.last,
        )
    if command == "case":
        return export_files.case_communication(session, staff=staff, case_id=args.case_id)
    if command == "cases":
        return export_files.practice_communications(
            session, staff=staff, first=args.first, last=args.last
        )
    return export_files.bookings_by_text(
        session, staff=staff, first=args.first, last=args.last, file_format=args.format
    )


def _write_new(target: Path, export: "ExportFile") -> None:
    """Write a new owner-only file: an export holds health details, and overwriting a file
    could lose one taken earlier."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(export.content)

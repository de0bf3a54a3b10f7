"""`python -m assistant import csv --practice SLUG [--mapping FILE] [--all-or-nothing]
[--dry-run] FILE_OR_DIR...`: records in from a practice-management system's CSV exports.

`python -m assistant import fhir --practice SLUG [--mapping FILE] [--all-or-nothing]
[--dry-run] (BUNDLE.json... | --server)`: records in from FHIR R4 Bundles, or from the FHIR
server at FHIR_BASE_URL (with FHIR_TOKEN), only what changed since the last import.

Exit status: 0 when every row was applied (or would be, in a dry run), 1 when some row was
refused, 2 when the import could not run (no such practice, an unreadable file or mapping, a
server that could not be read).
"""

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Practice
from assistant.errors import Refused
from assistant.imports.fhir.run import Options, import_bundles, import_from_server
from assistant.imports.fhir.run import read_bundle_files as bundle_files
from assistant.imports.fhir.server import FetchFailed, FhirServer
from assistant.imports.mapping import load_mapping
from assistant.imports.report import ImportReport
from assistant.imports.run import export_files, import_exports
from assistant.settings import get_settings

ACTOR = "cli"


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    imports = commands.add_parser("import", help="records in from a practice system's exports")
    formats = imports.add_subparsers(dest="import_format", required=True)
    csv = formats.add_parser(
        "csv",
        help="clients, patients, links, appointments and lab results from CSV exports",
        description="Upsert by each record's id in the source system: running the same files "
        "again changes nothing. See docs/records.md.",
    )
    _common_options(csv)
    csv.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    fhir = formats.add_parser(
        "fhir",
        help="patients, caregivers, practitioners, appointments and lab results from FHIR R4",
        description="From Bundle files (collection, transaction, batch or searchset), or "
        "with --server from FHIR_BASE_URL (bearer FHIR_TOKEN), reading only what changed "
        "since the last import. The same upsert as the CSV import. See docs/records.md.",
    )
    _common_options(fhir)
    fhir.add_argument("--server", action="store_true", help="read the FHIR server at FHIR_BASE_URL")
    fhir.add_argument("paths", nargs="*", type=Path, metavar="BUNDLE.json")


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--practice", required=True, help="the practice's slug")
    parser.add_argument("--mapping", type=Path, help="a YAML file mapping the source's codes")
    parser.add_argument(
        "--all-or-nothing", action="store_true", help="write nothing if any row is refused"
    )
    parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")


def run(args: argparse.Namespace) -> int:
    if args.import_format == "fhir" and bool(args.server) == bool(args.paths):
        print("import refused, nothing written: give Bundle files or --server (one of them)")
        return 2
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            practice = session.scalars(
                select(Practice).where(Practice.slug == args.practice)
            ).first()
            if practice is None:
                print(f"no practice {args.practice!r}")
                return 2
            report = _importer(args)(session, practice)
    except Refused as refusal:
        print(f"import refused, nothing written: {refusal}")
        return 2
    except OSError as exc:
        print(f"import refused, nothing written: {exc}")
        return 2
    finally:
        engine.dispose()
    print("\n".join(report.lines()))
    return 1 if report.refused else 0


def _importer(args: argparse.Namespace) -> Callable[[Session, Practice], ImportReport]:
    mapping = load_mapping(args.mapping)
    now = datetime.now(UTC)
    if args.import_format == "csv":
        files = export_files(args.paths)
        return lambda session, practice: import_exports(
            session,
            practice=practice,
            files=files,
            mapping=mapping,
            now=now,
            actor=ACTOR,
            dry_run=args.dry_run,
            all_or_nothing=args.all_or_nothing,
        )
    options = Options(
        mapping=mapping,
        now=now,
        actor=ACTOR,
        dry_run=args.dry_run,
        all_or_nothing=args.all_or_nothing,
    )
    if not args.server:
        bundles = bundle_files(args.paths)
        return lambda session, practice: import_bundles(
            session, practice=practice, bundles=bundles, options=options
        )
    settings = get_settings()
    if not settings.fhir_base_url:
        raise FetchFailed("set FHIR_BASE_URL (and FHIR_TOKEN) to import from a FHIR server")
    server = FhirServer(settings.fhir_base_url, settings.fhir_token)
    return lambda session, practice: import_from_server(
        session, practice=practice, server=server, options=options
    )

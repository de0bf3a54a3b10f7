"""`python -m assistant import csv --practice SLUG [--mapping FILE] [--all-or-nothing]
[--dry-run] FILE_OR_DIR...`: records in from a practice-management system's CSV exports.

Exit status: 0 when every row was applied (or would be, in a dry run), 1 when some row was
refused, 2 when the import could not run (no such practice, an unreadable file or mapping).
"""

import argparse
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Practice
from assistant.errors import Refused
from assistant.imports.mapping import load_mapping
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
    csv.add_argument("--practice", required=True, help="the practice's slug")
    csv.add_argument("--mapping", type=Path, help="a YAML file naming the export's columns")
    csv.add_argument(
        "--all-or-nothing", action="store_true", help="write nothing if any row is refused"
    )
    csv.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    csv.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")


def run(args: argparse.Namespace) -> int:
    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            practice = session.scalars(
                select(Practice).where(Practice.slug == args.practice)
            ).first()
            if practice is None:
                print(f"no practice {args.practice!r}")
                return 2
            report = import_exports(
                session,
                practice=practice,
                files=export_files(args.paths),
                mapping=load_mapping(args.mapping),
                now=datetime.now(UTC),
                actor=ACTOR,
                dry_run=args.dry_run,
                all_or_nothing=args.all_or_nothing,
            )
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

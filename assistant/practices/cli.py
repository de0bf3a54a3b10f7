"""`python -m assistant practice ...`: check and apply a practice file, print its schema."""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.migrate import upgrade_to_head
from assistant.practices.apply import ApplyRefused, apply_practice_file
from assistant.practices.setup_file import PracticeFileError, json_schema, read_practice_file
from assistant.settings import get_settings

ACTOR = "cli"


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    practice = commands.add_parser("practice", help="set up a practice from its practice file")
    actions = practice.add_subparsers(dest="practice_command", required=True)
    apply = actions.add_parser(
        "apply", help="create or update the practice the file describes (changes listed)"
    )
    apply.add_argument("file", type=Path)
    apply.add_argument("--dry-run", action="store_true", help="list the changes, write nothing")
    actions.add_parser("check", help="check a practice file, write nothing").add_argument(
        "file", type=Path
    )
    actions.add_parser("schema", help="print the practice file's JSON schema")


def run(args: argparse.Namespace) -> int:
    if args.practice_command == "schema":
        print(json.dumps(json_schema(), indent=2))
        return 0
    try:
        spec = read_practice_file(args.file)
    except FileNotFoundError:
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    except PracticeFileError as problems:
        print(
            f"{args.file}: {len(problems.problems)} problem(s), nothing applied:", file=sys.stderr
        )
        for problem in problems.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if args.practice_command == "check":
        print(f"{args.file}: a valid practice file for {spec.slug}")
        return 0

    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    try:
        with make_session_factory(engine)() as session:
            try:
                report = apply_practice_file(session, spec, now=datetime.now(UTC), actor=ACTOR)
            except ApplyRefused as refused:
                session.rollback()
                print(f"{args.file}: refused, nothing applied:", file=sys.stderr)
                for reason in refused.reasons:
                    print(f"  {reason}", file=sys.stderr)
                return 2
            for change in report.changes:
                print(f"  {change}")
            if args.dry_run:
                session.rollback()
                print(f"dry run: {len(report.changes)} change(s) for {spec.slug}, none written")
            elif report.changes:
                session.commit()
                print(f"applied {len(report.changes)} change(s) to {spec.slug}")
            else:
                print(f"{spec.slug} already matches {args.file}: nothing to change")
    finally:
        engine.dispose()
    return 0

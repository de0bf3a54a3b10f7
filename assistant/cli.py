"""`python -m assistant ...`: set up the database and watch the stack come up."""

import argparse
import os
import shlex
import sys
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.migrate import upgrade_to_head
from assistant.db.provision import create_database_if_missing
from assistant.exports import cli as exports_cli
from assistant.imports import cli as imports_cli
from assistant.practices import cli as practice_cli
from assistant.secure_defaults import write_secrets_file
from assistant.settings import ROOT, get_settings
from assistant.staff import cli as staff_cli
from assistant.templates import cli as templates_cli


def prepare_database() -> None:
    """Migrate to the newest schema and load the demo practices on an empty database."""
    from assistant.demo.seed import load_demo_data

    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    if settings.load_demo_data:
        with make_session_factory(engine)() as session:
            if load_demo_data(session, today=date.today()):
                session.commit()
                print("loaded the demo practices", flush=True)
    engine.dispose()


def create_databases() -> int:
    """Create the app's and Rasa's PostgreSQL databases (DATABASE_URL, RASA_TRACKER_URL)
    when missing; nothing to do for SQLite."""
    settings = get_settings()
    for setting, url in (
        ("DATABASE_URL", settings.database_url),
        ("RASA_TRACKER_URL", settings.rasa_tracker_url),
    ):
        if not url:
            continue
        created = create_database_if_missing(url)
        if created is not None:
            state = "created" if created else "exists"
            print(f"{setting}: database {make_url(url).database} {state}", flush=True)
    return 0


def rasa_env(command: list[str]) -> int:
    """Print the variables `endpoints.prod.yml` reads, or run `command` with them set."""
    from assistant.dialogue.rasa_endpoints import RasaEndpointsError, rasa_environment

    try:
        variables = rasa_environment(get_settings())
    except RasaEndpointsError as exc:
        print(f"rasa-env: {exc}", file=sys.stderr)
        return 2
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("\n".join(f"{name}={shlex.quote(value)}" for name, value in variables.items()))
        return 0
    # Replaced by the command itself, so the supervisor's signals reach Rasa directly.
    os.execvpe(command[0], command, {**os.environ, **variables})


def run_outreach(at: str | None) -> int:
    """One pass of the outreach scheduler, as the api runs it every minute; `at` (ISO 8601)
    runs it as if it were then, to see what a day would send."""
    from assistant.coordination.rules import ALL_RULES
    from assistant.outreach.caps import OutreachLimits
    from assistant.outreach.scheduler import OutreachScheduler
    from assistant.templates import TemplateRegistry

    settings = get_settings()
    now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    if now.tzinfo is None:
        print("--at needs a time zone, e.g. 2026-12-01T14:00:00+00:00", file=sys.stderr)
        return 2
    scheduler = OutreachScheduler(
        registry=TemplateRegistry.load(settings.templates_dir),
        rules=ALL_RULES,
        limits=OutreachLimits(
            per_day=settings.outreach_daily_cap, per_week=settings.outreach_weekly_cap
        ),
        coordination_url=f"{settings.public_base_url.rstrip('/')}/coordination",
    )
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        report = scheduler.run(session, now=now)
    engine.dispose()
    print(
        f"queued={report.queued} alerts={report.alerts} "
        f"deferred={report.deferred} expired={report.expired} resolved={report.resolved}"
    )
    return 0


def wait_ready(timeout: float) -> int:
    """Poll the api's /health until every component is ok, then say where to go."""
    settings = get_settings()
    base = f"http://127.0.0.1:{settings.api_port}"
    deadline = time.monotonic() + timeout
    last = "not started"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{base}/health", timeout=5)
            body = response.json()
            if response.status_code == 200:
                practices = httpx.get(f"{base}/api/v1/practices", timeout=5).json()
                _print_ready(base, practices)
                return 0
            last = ", ".join(f"{k}: {v}" for k, v in body["components"].items())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            last = f"api: {exc.__class__.__name__}"
        print(f"waiting for the assistant ({last})", flush=True)
        time.sleep(5)
    print(f"gave up after {timeout:.0f} s: {last}", file=sys.stderr, flush=True)
    return 1


def _print_ready(base: str, practices: list[dict[str, str]]) -> None:
    lines = [
        "",
        "The assistant is ready.",
        f"  health:  {base}/health",
        f"  api:     {base}/docs (admins)",
    ]
    lines += [f"  chat:    {base}/chat/{p['slug']}  ({p['name']})" for p in practices]
    lines += ["Press Ctrl-C to stop rasa, actions and the api.", ""]
    print("\n".join(lines), flush=True)


def send_test_sms(*, to: str, sender: str, text: str) -> int:
    """Post a correctly signed Twilio webhook to the local api, as Twilio would."""
    from twilio.request_validator import RequestValidator

    from assistant.messaging.signatures import DRY_RUN_AUTH_TOKEN

    settings = get_settings()
    params = {
        "MessageSid": f"SMlocal{uuid.uuid4().hex[:24]}",
        "From": sender,
        "To": to,
        "Body": text,
        "NumMedia": "0",
    }
    signed_url = f"{settings.public_base_url.rstrip('/')}/twilio/sms"
    token = settings.twilio_auth_token or DRY_RUN_AUTH_TOKEN
    signature = RequestValidator(token).compute_signature(signed_url, params)
    response = httpx.post(
        f"http://127.0.0.1:{settings.api_port}/twilio/sms",
        data=params,
        headers={"X-Twilio-Signature": signature},
        timeout=10,
    )
    print(f"{response.status_code} {response.text}")
    print("the reply appears in the outbox: /nurse/outbox (signed in) or the api log")
    return 0 if response.status_code == 200 else 1


def purge(days: int | None, practice_slug: str | None, tracker_url: str | None) -> int:
    """Remove messages, cases and Rasa tracker events older than each practice's retention
    period, or than `days` for all (assistant/retention)."""
    from sqlalchemy import select

    from assistant.db.models import Practice
    from assistant.retention import (
        PurgeReport,
        apply_retention_periods,
        purge_tracker_events,
        tracker_engine,
    )
    from assistant.retention import purge as purge_database

    if days is not None and days < 1:
        print("--older-than must be at least 1 day", file=sys.stderr)
        return 2
    settings = get_settings()
    now = datetime.now(UTC)
    tracker_url = tracker_url or settings.rasa_tracker_url or _development_tracker()
    tracker = tracker_engine(tracker_url) if tracker_url else None
    engine = make_engine(settings.database_url)
    reports: dict[str, PurgeReport] = {}
    with make_session_factory(engine)() as session:
        practice_id = None
        if practice_slug:
            practice_id = session.scalars(
                select(Practice.id).where(Practice.slug == practice_slug)
            ).first()
            if practice_id is None:
                print(f"no practice {practice_slug!r}", file=sys.stderr)
                return 2
        if days is None:
            reports = apply_retention_periods(
                session, now=now, tracker=tracker, practice_id=practice_id
            )
        else:
            older_than = timedelta(days=days)
            report = purge_database(
                session, older_than=older_than, now=now, practice_id=practice_id
            )
            # Rasa's tracker store holds every practice's conversations together.
            if tracker is not None and not practice_slug:
                events = purge_tracker_events(tracker, older_than=older_than, now=now)
                report = replace(report, tracker_events=events)
            reports = {practice_slug or "all practices": report}
        session.commit()
    engine.dispose()
    if tracker is not None:
        tracker.dispose()
    if not reports:
        print("no practice has a retention period set: nothing removed")
    for name, report in reports.items():
        print(
            f"{name}: removed cases={report.cases} outbox={report.outbox} inbox={report.inbox} "
            f"pictures={report.pictures} messages={report.messages} "
            f"tracker_events={report.tracker_events}"
        )
    return 0


def _development_tracker() -> str | None:
    path = ROOT / "var" / "rasa-tracker.db"
    return f"sqlite:///{path}" if path.exists() else None


def generate_secrets(path: Path) -> int:
    """Write strong secrets for a production start once; never overwrite them."""
    added = write_secrets_file(path)
    if added:
        print(f"wrote new {', '.join(added)} to {path} (owner-only)")
    else:
        print(f"{path} has every secret: keeping them")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare-db", help="migrate the database and load demo data if empty")
    ready = commands.add_parser("wait-ready", help="wait until /health is all ok, then idle")
    ready.add_argument("--timeout", type=float, default=600)
    ready.add_argument("--then-idle", action="store_true", help="keep running (for the supervisor)")
    sms = commands.add_parser("send-test-sms", help="post a signed Twilio webhook locally")
    sms.add_argument("text")
    sms.add_argument("--to", default="+13125550101", help="the practice's SMS number")
    sms.add_argument("--from", dest="sender", default="+13125550120", help="the sender")
    outreach = commands.add_parser("outreach", help="run the outreach scheduler once")
    outreach.add_argument("--at", help="as if it were this time (ISO 8601, with a zone)")
    commands.add_parser(
        "create-databases",
        help="create the PostgreSQL databases of DATABASE_URL and RASA_TRACKER_URL if missing",
    )
    rasa = commands.add_parser(
        "rasa-env",
        help="print the variables endpoints.prod.yml reads, or run `-- COMMAND` with them",
    )
    rasa.add_argument("exec_command", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    purge_parser = commands.add_parser(
        "purge", help="remove messages, cases and Rasa events older than the retention period"
    )
    purge_parser.add_argument(
        "--older-than", type=int, metavar="DAYS", help="default: each practice's own period"
    )
    purge_parser.add_argument("--practice", help="one practice's slug (not Rasa's events)")
    purge_parser.add_argument("--rasa-tracker-url", help="default: RASA_TRACKER_URL")
    secrets_file = commands.add_parser(
        "generate-secrets",
        help="write each missing production secret to FILE (owner-only), never replacing one",
    )
    secrets_file.add_argument("file", type=Path)
    commands.add_parser(
        "copy-dialogue-examples",
        help="refresh the copy of data/nlu the safety classifiers learn (a triage change)",
    )
    templates_cli.add_parser(commands)
    staff_cli.add_parser(commands)
    practice_cli.add_parser(commands)
    imports_cli.add_parser(commands)
    exports_cli.add_parser(commands)
    args = parser.parse_args(argv)

    if args.command == "prepare-db":
        prepare_database()
        return 0
    if args.command == "templates":
        return templates_cli.run(args)
    if args.command == "staff":
        return staff_cli.run(args)
    if args.command == "practice":
        return practice_cli.run(args)
    if args.command == "import":
        return imports_cli.run(args)
    if args.command == "export":
        return exports_cli.run(args)
    if args.command == "outreach":
        return run_outreach(args.at)
    if args.command == "create-databases":
        return create_databases()
    if args.command == "rasa-env":
        return rasa_env(args.exec_command)
    if args.command == "purge":
        return purge(args.older_than, args.practice, args.rasa_tracker_url)
    if args.command == "generate-secrets":
        return generate_secrets(args.file)
    if args.command == "copy-dialogue-examples":
        from assistant.safety.dialogue_snapshot import write_snapshot

        print(f"{write_snapshot()} examples copied; measure the triage before committing them")
        return 0
    if args.command == "send-test-sms":
        return send_test_sms(to=args.to, sender=args.sender, text=args.text)
    status = wait_ready(args.timeout)
    if args.then_idle and status == 0:
        # The supervisor stops everything when one process exits; this one stays.
        while True:
            time.sleep(3600)
    return status

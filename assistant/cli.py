"""`python -m assistant ...`: set up the database and watch the stack come up."""

import argparse
import sys
import time
from datetime import date

import httpx

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.migrate import upgrade_to_head
from assistant.settings import get_settings


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
    lines = ["", "The assistant is ready.", f"  health:  {base}/health", f"  api:     {base}/docs"]
    lines += [f"  chat:    {base}/chat/{p['slug']}  ({p['name']})" for p in practices]
    lines += ["Press Ctrl-C to stop rasa, actions and the api.", ""]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare-db", help="migrate the database and load demo data if empty")
    ready = commands.add_parser("wait-ready", help="wait until /health is all ok, then idle")
    ready.add_argument("--timeout", type=float, default=600)
    ready.add_argument("--then-idle", action="store_true", help="keep running (for the supervisor)")
    args = parser.parse_args(argv)

    if args.command == "prepare-db":
        prepare_database()
        return 0
    status = wait_ready(args.timeout)
    if args.then_idle and status == 0:
        # The supervisor stops everything when one process exits; this one stays.
        while True:
            time.sleep(3600)
    return status

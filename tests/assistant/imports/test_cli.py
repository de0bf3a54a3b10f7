"""`python -m assistant import csv` as a person runs it: a subprocess on a SQLite file
migrated to head, with the demo practices loaded."""

import os
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, Contact
from assistant.demo import load_demo_data
from assistant.settings import ROOT
from tests.assistant.imports.conftest import SAMPLE, SLUG, TODAY
from tests.support.processes import APP_PYTHON
from tests.support.records import imported_here


def _import(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [str(APP_PYTHON), "-m", "assistant", "import", "csv", "--practice", SLUG, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_imports_the_sample_then_finds_it_unchanged(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    with make_session_factory(sqlite_engine)() as loader:
        load_demo_data(loader, today=TODAY)
        loader.commit()
    database = Path(str(sqlite_engine.url.database))
    mapping = str(SAMPLE / "mapping.yml")

    dry = _import(database, "--mapping", mapping, "--dry-run", str(SAMPLE))
    first = _import(database, "--mapping", mapping, str(SAMPLE))
    again = _import(database, "--mapping", mapping, str(SAMPLE))

    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run: nothing was written" in dry.stdout
    assert first.returncode == 0, first.stdout + first.stderr
    assert "clients      created 20  updated 0  unchanged 0  refused 0" in first.stdout
    assert "appointments created 8  updated 0  unchanged 0  refused 0" in first.stdout
    assert again.returncode == 0
    assert "links        created 0  updated 0  unchanged 23  refused 0" in again.stdout
    with make_session_factory(sqlite_engine)() as session:
        imported = session.scalar(
            select(func.count()).select_from(Contact).where(imported_here(Contact))
        )
        audits = session.scalars(
            select(AuditLog.actor).where(AuditLog.action == "records.imported")
        ).all()
    assert imported == 20
    assert audits == ["cli", "cli"]  # the dry run wrote nothing, not even an audit row


def test_the_command_names_a_missing_column_and_exits_2(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    with make_session_factory(sqlite_engine)() as loader:
        load_demo_data(loader, today=TODAY)
        loader.commit()
    bad = tmp_path / "clients.csv"
    bad.write_text("Client ID,First Name,Mobile Phone\nX-1,Ann,(847) 555-0160\n")

    result = _import(Path(str(sqlite_engine.url.database)), str(bad))

    assert result.returncode == 2
    assert result.stdout.strip() == (
        "import refused, nothing written: clients.csv: missing required column 'Last Name' "
        "(clients: last_name); rename it in the file or map it under columns: in the mapping file"
    )

"""`python -m assistant import fhir` as a person runs it: a subprocess on a SQLite file
migrated to head with the demo practices loaded, from the sample Bundle and from a local
FHIR server; the token never appears in what it prints."""

import os
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select

from assistant.db.engine import make_session_factory
from assistant.db.models import AuditLog, Contact
from assistant.demo import load_demo_data
from assistant.settings import ROOT
from tests.assistant.imports.conftest import TODAY
from tests.assistant.imports.fhir_support import (
    HARBOR,
    MAPPING,
    SAMPLE_BUNDLE,
    FakeFhirServer,
    fhir_server,
    sample_resources,
)
from tests.support.processes import APP_PYTHON
from tests.support.records import imported_here

TOKEN = "cli-fhir-token-never-printed"


def _database(engine: Engine) -> Path:
    with make_session_factory(engine)() as loader:
        load_demo_data(loader, today=TODAY)
        loader.commit()
    return Path(str(engine.url.database))


def _import(database: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(APP_PYTHON), "-m", "assistant", "import", "fhir", "--practice", HARBOR, *args],
        cwd=ROOT,
        env={
            **os.environ,
            "ENVIRONMENT": "development",
            "DATABASE_URL": f"sqlite:///{database}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_imports_the_sample_bundle_then_finds_it_unchanged(
    sqlite_engine: Engine,
) -> None:
    database = _database(sqlite_engine)

    dry = _import(database, "--mapping", str(MAPPING), "--dry-run", str(SAMPLE_BUNDLE))
    first = _import(database, "--mapping", str(MAPPING), str(SAMPLE_BUNDLE))
    again = _import(database, "--mapping", str(MAPPING), str(SAMPLE_BUNDLE))

    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run: nothing was written" in dry.stdout
    assert first.returncode == 0, first.stdout + first.stderr
    assert "staff        created 0  updated 3  unchanged 0  refused 0" in first.stdout
    assert "appointments created 3  updated 0  unchanged 0  refused 0" in first.stdout
    assert "Appointment/examplereq: proposed, not a booking yet; not imported" in first.stdout
    assert again.returncode == 0
    assert "links        created 0  updated 0  unchanged 4  refused 0" in again.stdout
    with make_session_factory(sqlite_engine)() as session:
        contacts = session.scalar(
            select(func.count()).select_from(Contact).where(imported_here(Contact))
        )
        audits = session.scalars(
            select(AuditLog.actor).where(AuditLog.action == "records.imported")
        ).all()
    assert contacts == 4 and audits == ["cli", "cli"]


def test_a_refused_resource_exits_1_and_a_bad_bundle_exits_2(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    database = _database(sqlite_engine)
    not_a_bundle = tmp_path / "patient.json"
    not_a_bundle.write_text('{"resourceType": "Patient", "id": "x"}')
    without_mapping = _import(database, str(SAMPLE_BUNDLE))  # FOLLOWUP is not one of ours

    refused = _import(database, str(not_a_bundle))

    assert without_mapping.returncode == 1
    assert "Appointment/example (bundle.json entry 11): no appointment type of ours" in (
        without_mapping.stdout
    )
    assert refused.returncode == 2
    assert refused.stdout.strip() == (
        "import refused, nothing written: patient.json: not a FHIR Bundle (resourceType 'Patient')"
    )
    neither = _import(database)
    assert neither.returncode == 2 and "give Bundle files or --server" in neither.stdout


def test_the_command_reads_the_server_with_the_token_and_never_prints_it(
    sqlite_engine: Engine,
) -> None:
    database = _database(sqlite_engine)
    store = FakeFhirServer()
    for second, item in enumerate(sample_resources()):
        store.put(item, f"2026-12-05T10:00:{second:02d}Z")
    with fhir_server(store):
        env = {"FHIR_BASE_URL": store.base_url, "FHIR_TOKEN": TOKEN}
        first = _import(database, "--mapping", str(MAPPING), "--server", **env)
        again = _import(database, "--mapping", str(MAPPING), "--server", **env)
        wrong = _import(database, "--server", FHIR_BASE_URL="ftp://nowhere", FHIR_TOKEN=TOKEN)

    assert first.returncode == 0, first.stdout + first.stderr
    assert "clients      created 4  updated 0  unchanged 0  refused 0" in first.stdout
    assert again.returncode == 0 and "read: " not in again.stdout  # nothing changed
    assert {h.get("Authorization") for _, h in store.requests} == {f"Bearer {TOKEN}"}
    assert wrong.returncode == 2 and "is not an http(s) address" in wrong.stdout
    for result in (first, again, wrong):
        assert TOKEN not in result.stdout + result.stderr

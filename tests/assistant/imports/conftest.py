"""The demo practices loaded on a Monday a week before the sample export's visits, and a
helper that imports files into Cedar Veterinary Oncology as the command line does."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.db.engine import make_session_factory
from assistant.db.models import Practice
from assistant.demo import load_demo_data
from assistant.imports.mapping import load_mapping
from assistant.imports.report import ImportReport
from assistant.imports.run import ExportFile, export_files, import_exports
from assistant.settings import ROOT

SAMPLE = ROOT / "examples" / "records" / "cedar-vet"
SLUG = "cedar-vet-oncology"
CHICAGO = ZoneInfo("America/Chicago")
# The demo's shifts run 30 days from here; the sample's visits are 8 to 16 days later.
TODAY = date(2026, 12, 7)


def local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=CHICAGO).astimezone(UTC)


NOW = local(TODAY, "12:00")


@pytest.fixture
def demo(sqlite_engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(sqlite_engine)
    with factory() as loader:
        assert load_demo_data(loader, today=TODAY)
        loader.commit()
    with factory() as session:
        yield session


def cedar(session: Session) -> Practice:
    return session.scalars(select(Practice).where(Practice.slug == SLUG)).one()


def run_import(
    session: Session,
    files: list[ExportFile] | None = None,
    *,
    now: datetime = NOW,
    mapping: Path | None = SAMPLE / "mapping.yml",
    **options: bool,
) -> ImportReport:
    return import_exports(
        session,
        practice=cedar(session),
        files=files if files is not None else export_files([SAMPLE]),
        mapping=load_mapping(mapping),
        now=now,
        actor="cli",
        **options,
    )


def csv_file(name: str, header: str, *rows: str) -> ExportFile:
    return ExportFile(name, "\n".join([header, *rows, ""]).encode())


def sample_file(name: str) -> ExportFile:
    return ExportFile(name, (SAMPLE / name).read_bytes())

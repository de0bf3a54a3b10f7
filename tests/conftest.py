"""Shared fixtures: a migrated database per test, on SQLite by default or PostgreSQL when asked."""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.migrate import upgrade_to_head
from assistant.db.models import Practice

if TYPE_CHECKING:
    from assistant.safety.triage import Triage

# Tests run as a developer's machine: their in-process `Settings()` and the processes they
# start accept the development secrets. Tests of production refusals say so explicitly.
os.environ["ENVIRONMENT"] = "development"

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _skip_or_fail(reason: str) -> None:
    """Skip when a service is missing, unless CI asked for every service (REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its cheapest inside the test process: a demo load hashes two passwords and
    each sign-in verifies one, 0.15 s apiece at the production cost, which added minutes to
    the suite. The hashes are still argon2 and still checked; the processes the end-to-end
    tests start, and test_password_hashes_cost_what_production_needs, use the real cost."""
    from argon2 import PasswordHasher, profiles

    from assistant.staff import auth

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", cheap)
        patch.setattr(auth, "_DUMMY_HASH", cheap.hash("not a real password"))
        yield


@pytest.fixture(scope="session")
def triage() -> "Triage":
    """Safety triage, loaded once: building the medspacy pipeline is the slow part."""
    from assistant.safety.triage import Triage

    return Triage.load()


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations brought to head once per test run."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(tmp_path: Path, migrated_sqlite_file: Path) -> Iterator[Engine]:
    """A private copy of the migrated file: the same schema as migrating, without the
    0.3 s each migration run costs."""
    database = tmp_path / "test.db"
    shutil.copyfile(migrated_sqlite_file, database)
    engine = make_engine(f"sqlite:///{database}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A freshly migrated PostgreSQL schema, private to this test (and to this test run)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "not reachable"
        _skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    upgrade_to_head(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


# The demo database of each `today`, loaded once per test run (see `with_demo_data`); the
# folder goes when the run ends.
_DEMO_FILES: dict[date, Path] = {}
_DEMO_FOLDER = tempfile.TemporaryDirectory(prefix="demo-databases-")


def with_demo_data(engine: Engine, today: date = date(2026, 11, 30)) -> Engine:
    """The two demo practices, their staff and records as of `today`, in `engine`'s database.

    On a fresh SQLite file (the `sqlite_engine` fixture's) the first load of each date is kept
    and later tests get a copy of it: the same rows as loading again, without the 0.3 s a load
    costs hundreds of tests. Any other database is loaded as usual."""
    from assistant.demo import load_demo_data

    database = engine.url.database
    on_file = engine.dialect.name == "sqlite" and bool(database) and Path(database).is_file()
    fresh = on_file and _has_no_practice(engine)
    if fresh and today in _DEMO_FILES and _closed(engine):
        shutil.copyfile(_DEMO_FILES[today], database)
        return engine
    with make_session_factory(engine)() as session:
        load_demo_data(session, today=today)
        session.commit()
    if fresh and _closed(engine):
        kept = Path(_DEMO_FOLDER.name) / f"demo-{today.isoformat()}.db"
        shutil.copyfile(database, kept)
        _DEMO_FILES[today] = kept
    return engine


def _has_no_practice(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Practice.__table__)) == 0


def _closed(engine: Engine) -> bool:
    """Whether every connection to `engine`'s SQLite file is closed and its write-ahead log
    folded into it, so the file alone holds the database and may be copied."""
    engine.dispose()
    return not Path(f"{engine.url.database}-wal").exists()


@pytest.fixture
def session(sqlite_engine: Engine) -> Iterator[Session]:
    with make_session_factory(sqlite_engine)() as s:
        yield s


HOURS_MON_FRI_8_TO_6 = {
    **{day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [],
    "sun": [],
}


def add_practice(session: Session, *, kind: str, slug: str | None = None) -> Practice:
    """A minimal practice of `kind`, for tests that do not need the demo records."""

    vet = kind == "veterinary"
    slug = slug or ("test-vet" if vet else "test-surgical")
    practice = Practice(
        slug=slug,
        name="Test Veterinary Oncology" if vet else "Test Surgical Oncology",
        kind=kind,
        timezone="America/Chicago",
        business_hours=HOURS_MON_FRI_8_TO_6,
        phone="+13125550100" if vet else "+13125550110",
        sms_number="+13125550101" if vet else "+13125550111",
        emergency_contact_name="Test Emergency Animal Hospital" if vet else "Emergency services",
        emergency_contact_number="+13125550199" if vet else "911",
    )
    session.add(practice)
    session.flush()
    return practice

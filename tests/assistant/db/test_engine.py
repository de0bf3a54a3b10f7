"""A SQLite database file holds health details: it is created readable by its owner only
(issue 18), and so are the write-ahead files SQLite makes beside it."""

import os
import stat
from pathlib import Path

from sqlalchemy import text

from assistant.db.engine import make_engine


def test_a_new_sqlite_database_and_its_journal_are_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # a usual umask, which would make files world-readable
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'assistant.db'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x TEXT)"))
            connection.execute(text("INSERT INTO t VALUES ('a health detail')"))
        with engine.connect() as reading:  # the journal is open while a connection is
            reading.execute(text("SELECT x FROM t")).all()
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in (tmp_path / "var").iterdir()
            }
        engine.dispose()
    finally:
        os.umask(previous)

    assert "assistant.db" in modes and "assistant.db-wal" in modes
    assert set(modes.values()) == {0o600}, modes

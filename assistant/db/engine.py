"""Engine and session factory, built on demand (never at import time)."""

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Turns hold a connection only between their reads and writes, never while Rasa works; this
# many covers the api's request threads at peak, and two api workers stay under PostgreSQL's
# default limit of 100 connections.
POOL = {"pool_size": 10, "max_overflow": 20}


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`; SQLite files get their folder and foreign keys."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **POOL)
    if url.database and url.database != ":memory:":
        _create_owner_only(Path(url.database))
        engine = create_engine(url, connect_args={"timeout": 30}, **POOL)
    else:
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def _create_owner_only(database: Path) -> None:
    """Health details live in this file: create it readable by its owner only (SQLite gives
    its -wal and -shm files the same mode); an existing file is left as it is."""
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

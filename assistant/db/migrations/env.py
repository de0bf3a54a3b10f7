"""Alembic environment: runs migrations on the engine the caller gives, or on the settings' URL."""

from alembic import context
from sqlalchemy import Connection

import assistant.db.models  # noqa: F401  (registers every table)
from assistant.db.base import Base
from assistant.db.engine import make_engine
from assistant.settings import get_settings

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


run_migrations_online()

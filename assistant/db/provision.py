"""Create a PostgreSQL database that a URL names, so a new server needs no `createdb`."""

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The database every PostgreSQL server has, to connect to before ours exists.
MAINTENANCE_DATABASE = "postgres"


def create_database_if_missing(database_url: str) -> bool | None:
    """Create the database `database_url` names on its PostgreSQL server unless it exists.

    Returns True when it was created, False when it was there, None for a URL that is not
    PostgreSQL (SQLite files are created when first opened). Accepts SQLAlchemy 1.4 style
    URLs too (`postgresql://...`, Rasa's tracker store): psycopg 3 is used either way.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or not url.database:
        return None
    name = url.database
    admin = create_engine(
        url.set(drivername="postgresql+psycopg", database=MAINTENANCE_DATABASE),
        isolation_level="AUTOCOMMIT",  # CREATE DATABASE cannot run in a transaction
    )
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists:
                return False
            quoted = connection.dialect.identifier_preparer.quote(name)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin.dispose()

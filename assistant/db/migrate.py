"""Bring a database to the newest schema with Alembic."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from assistant.settings import ROOT


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration on `engine`'s database."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

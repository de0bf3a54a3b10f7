"""The Alembic migrations build the same schema on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.base import Base
from assistant.db.migrate import alembic_config
from assistant.db.models import Appointment, AppointmentType, Patient, StaffUser
from tests.conftest import add_practice


def test_migrated_schema_has_every_model_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())

    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_removes_every_table(engine: Engine) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_a_clinician_cannot_have_two_live_bookings_at_one_time(engine: Engine) -> None:
    start = datetime(2026, 12, 1, 15, tzinfo=UTC)
    with Session(engine) as session:
        practice = add_practice(session, kind="veterinary")
        vet = StaffUser(
            practice_id=practice.id,
            name="Dr. A",
            email="a@example.org",
            role="oncologist",
            phone="+13125550120",
        )
        pet = Patient(practice_id=practice.id, kind="animal", name="Max", species="dog")
        kind = AppointmentType(
            practice_id=practice.id,
            code="chemo",
            name="Chemo",
            duration_minutes=60,
            clinician_roles=["oncologist"],
        )
        session.add_all([vet, pet, kind])
        session.flush()

        def booking(status: str = "booked") -> Appointment:
            return Appointment(
                practice_id=practice.id,
                patient_id=pet.id,
                clinician_id=vet.id,
                appointment_type_id=kind.id,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                status=status,
            )

        session.add_all([booking(status="cancelled"), booking()])
        session.commit()  # a cancelled slot does not block a new booking

        session.add(booking())
        with pytest.raises(IntegrityError):
            session.commit()


def test_models_and_migrations_agree(engine: Engine) -> None:
    """A model change without its migration fails here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []

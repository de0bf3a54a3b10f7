"""incremental FHIR import: per practice, server and resource type, the last `meta.lastUpdated`
imported

Revision ID: f3b9d2a6c104
Revises: e5a3c1b7d902
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assistant.db.base

revision: str = "f3b9d2a6c104"
down_revision: str | None = "e5a3c1b7d902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fhir_sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("last_updated", assistant.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", assistant.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_fhir_sync_state_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_sync_state")),
        sa.UniqueConstraint(
            "practice_id",
            "base_url",
            "resource_type",
            name=op.f("uq_fhir_sync_state_practice_id_base_url_resource_type"),
        ),
    )
    with op.batch_alter_table("fhir_sync_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_sync_state_practice_id"), ["practice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fhir_sync_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_sync_state_practice_id"))
    op.drop_table("fhir_sync_state")

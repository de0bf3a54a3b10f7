"""practice setup file and imported records: the weekly shift pattern and on-call rota a
practice file sets, and each imported record's identifier in its source system

Revision ID: e5a3c1b7d902
Revises: d2f6a9c4e871
Create Date: 2026-12-06 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a3c1b7d902"
down_revision: str | None = "d2f6a9c4e871"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows can come from a practice's own record system (CSV export, FHIR).
SOURCED_TABLES = ("staff_user", "contact", "patient", "appointment", "lab_result")


def upgrade() -> None:
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_shifts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("on_call_rota", sa.JSON(), nullable=True))
    for table in SOURCED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("source_id", sa.String(length=120), nullable=True))
            batch_op.create_unique_constraint(
                f"uq_{table}_practice_source", ["practice_id", "source_id"]
            )


def downgrade() -> None:
    for table in reversed(SOURCED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_practice_source", type_="unique")
            batch_op.drop_column("source_id")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("on_call_rota")
        batch_op.drop_column("weekly_shifts")

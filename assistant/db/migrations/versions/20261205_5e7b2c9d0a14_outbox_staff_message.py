"""outbox row carries its conversation message (a staff reply's delivery state)

Revision ID: 5e7b2c9d0a14
Revises: 012a4d7d9949
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e7b2c9d0a14"
down_revision: str | None = "012a4d7d9949"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_message_id"), ["message_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_message_id_message"), "message", ["message_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_message_id_message"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_message_message_id"))
        batch_op.drop_column("message_id")

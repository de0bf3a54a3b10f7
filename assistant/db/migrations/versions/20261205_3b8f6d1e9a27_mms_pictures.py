"""pictures clients send by MMS, kept for staff

Revision ID: 3b8f6d1e9a27
Revises: 7d4a9e2c1f35
Create Date: 2026-12-05 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assistant.db.base

revision: str = "3b8f6d1e9a27"
down_revision: str | None = "7d4a9e2c1f35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "picture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("inbox_message_id", sa.Integer(), nullable=False),
        sa.Column("provider_url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", assistant.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", assistant.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", assistant.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "provider_deleted_at", assistant.db.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["inbox_message_id"],
            ["inbox_message.id"],
            name=op.f("fk_picture_inbox_message_id_inbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_picture_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_picture")),
    )
    with op.batch_alter_table("picture", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_picture_inbox_message_id"), ["inbox_message_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_picture_practice_id"), ["practice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_picture_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("picture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_picture_status"))
        batch_op.drop_index(batch_op.f("ix_picture_practice_id"))
        batch_op.drop_index(batch_op.f("ix_picture_inbox_message_id"))
    op.drop_table("picture")

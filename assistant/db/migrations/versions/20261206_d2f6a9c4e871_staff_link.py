"""staff accounts: one-time links that set a password (invitations and resets)

Revision ID: d2f6a9c4e871
Revises: c7e94b2d6a18
Create Date: 2026-12-06 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.db.base import UTCDateTime

revision: str = "d2f6a9c4e871"
down_revision: str | None = "c7e94b2d6a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_staff_link_staff_id", "staff_link", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_link_staff_id", table_name="staff_link")
    op.drop_table("staff_link")

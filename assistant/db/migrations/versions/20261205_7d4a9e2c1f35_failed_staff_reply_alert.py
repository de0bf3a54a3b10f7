"""a staff reply that did not reach the client flags its case in the nurse queue

Revision ID: 7d4a9e2c1f35
Revises: 9c3e1f7a2b64
Create Date: 2026-12-05 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assistant.db.base

revision: str = "7d4a9e2c1f35"
down_revision: str | None = "9c3e1f7a2b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reply_failed_at", assistant.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "failure_noticed_at", assistant.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("failure_noticed_at")
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_column("reply_failed_at")

"""audit reads: an index to find a person's recent audit rows

Revision ID: 4f2a8c6e1d93
Revises: 3b8f6d1e9a27
Create Date: 2026-12-06 00:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4f2a8c6e1d93"
down_revision: str | None = "3b8f6d1e9a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_actor_created_at", "audit_log", ["actor", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_created_at", table_name="audit_log")

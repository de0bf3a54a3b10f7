"""template approvals keep the approved text and title

Revision ID: 3c1e9a7b2f40
Revises: 8964b1313e55
Create Date: 2026-11-27 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1e9a7b2f40"
down_revision: str | None = "8964b1313e55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("template_approval") as batch:
        batch.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("title", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("template_approval") as batch:
        batch.drop_column("title")
        batch.drop_column("text")

"""api tokens: an optional expiry and an optional scope of traders

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created: tuple[str, ...] = ()
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("trader_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("trader_ids")
        batch.drop_column("expires_at")

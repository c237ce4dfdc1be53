"""trader progress: the last bar each role (strategy, execution) finished per trader

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created = ("trader_progress",)
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()


def upgrade() -> None:
    op.create_table(
        "trader_progress",
        sa.Column("trader_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("last_bar_ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("trader_id", "role", name=op.f("pk_trader_progress")),
    )


def downgrade() -> None:
    op.drop_table("trader_progress")

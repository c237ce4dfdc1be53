"""order types, hedge-mode positions, trader accounts and equity snapshots

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created = ("equity_snapshots",)
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()

# Frozen copy of the storage types as this migration created them.
MONEY = sa.Numeric(28, 10).with_variant(sa.String(48), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("stop_price", MONEY, nullable=True))
        batch.add_column(sa.Column("trailing_amount", MONEY, nullable=True))
        batch.add_column(sa.Column("trailing_percent", MONEY, nullable=True))
        batch.add_column(
            sa.Column("reduce_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("post_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("position_side", sa.String(8), nullable=False, server_default="BOTH")
        )
        batch.add_column(sa.Column("parent_order_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("oco_group", sa.String(64), nullable=True))
    with op.batch_alter_table("fills") as batch:
        batch.add_column(
            sa.Column("position_side", sa.String(8), nullable=False, server_default="BOTH")
        )
    with op.batch_alter_table("positions") as batch:
        batch.add_column(
            sa.Column("position_side", sa.String(8), nullable=False, server_default="BOTH")
        )
        batch.drop_constraint("pk_positions", type_="primary")
        batch.create_primary_key("pk_positions", ["trader_id", "symbol", "position_side"])
    with op.batch_alter_table("traders") as batch:
        batch.add_column(
            sa.Column("account_id", sa.String(64), nullable=False, server_default="default")
        )
        batch.add_column(sa.Column("config", sa.JSON(), nullable=True))
    op.create_table(
        "equity_snapshots",
        sa.Column("trader_id", sa.String(64), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("equity", MONEY, nullable=False),
        sa.Column("cash", MONEY, nullable=False),
        sa.Column("realized_pnl", MONEY, nullable=False),
        sa.Column("unrealized_pnl", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("trader_id", "ts", name=op.f("pk_equity_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("equity_snapshots")
    with op.batch_alter_table("traders") as batch:
        batch.drop_column("config")
        batch.drop_column("account_id")
    op.execute("DELETE FROM positions WHERE position_side <> 'BOTH'")
    with op.batch_alter_table("positions") as batch:
        batch.drop_constraint("pk_positions", type_="primary")
        batch.create_primary_key("pk_positions", ["trader_id", "symbol"])
        batch.drop_column("position_side")
    with op.batch_alter_table("fills") as batch:
        batch.drop_column("position_side")
    with op.batch_alter_table("orders") as batch:
        for column in (
            "oco_group",
            "parent_order_id",
            "position_side",
            "post_only",
            "reduce_only",
            "trailing_percent",
            "trailing_amount",
            "stop_price",
        ):
            batch.drop_column(column)

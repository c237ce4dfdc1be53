"""bar series, ingest state and bar archives

``bar_series`` keeps each stored series' time bounds and row count (filled
here from the bars already stored); reads use it to bound queries so that a
partitioned PostgreSQL table is pruned to a month or two. ``ingest_state``
records each (symbol, timeframe, source) backfill: the stored range, whether
it reached its target (the live feed's start gate reads this), totals and the
reasons of rejected bars. ``bar_archives`` lists the Parquet
files that hold bars moved out of the database, with their row counts and
checksums.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created: tuple[str, ...] = ("bar_series", "ingest_state", "bar_archives")
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bar_series",
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("first_ts", TIME, nullable=False),
        sa.Column("last_ts", TIME, nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", name=op.f("pk_bar_series")),
    )
    op.execute(
        "INSERT INTO bar_series (symbol, timeframe, first_ts, last_ts, row_count) "
        "SELECT symbol, timeframe, min(ts), max(ts), count(*) FROM bars GROUP BY symbol, timeframe"
    )
    op.create_table(
        "ingest_state",
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("first_ts", TIME, nullable=True),
        sa.Column("last_ts", TIME, nullable=True),
        sa.Column("target_end", TIME, nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("stored_total", sa.BigInteger(), nullable=False),
        sa.Column("rejected_total", sa.BigInteger(), nullable=False),
        sa.Column("last_rejects", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_ingest_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "source", name=op.f("pk_ingest_state")),
    )
    op.create_table(
        "bar_archives",
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("first_ts", TIME, nullable=False),
        sa.Column("last_ts", TIME, nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("archived_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "first_ts", name=op.f("pk_bar_archives")),
    )


def downgrade() -> None:
    op.drop_table("bar_archives")
    op.drop_table("ingest_state")
    op.drop_table("bar_series")

"""partition bars by time on PostgreSQL

On PostgreSQL the bars table becomes time-partitioned, decided here at
migration time: a TimescaleDB hypertable with a compression policy when the
``timescaledb`` extension is available, otherwise native declarative range
partitioning by month (partitions for new months are created on demand by
``storage.partitions``; a default partition catches rows of months without
one, so a writer that skips that step still succeeds). Existing rows and ids
are kept. SQLite is unchanged:
its unique index on (symbol, timeframe, ts) already serves the latest-N and
time-range queries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Declared effects, checked by ``tradestack db upgrade`` after the migration runs.
tables_created: tuple[str, ...] = ()
tables_dropped: tuple[str, ...] = ()
rows_changed: tuple[str, ...] = ()

# Frozen copy of the column list as this migration leaves it.
COLUMNS = "id, symbol, timeframe, ts, open, high, low, close, volume, source"
COLUMN_DDL = """
    id BIGINT NOT NULL DEFAULT nextval('bars_id_seq'),
    symbol VARCHAR(64) NOT NULL,
    timeframe VARCHAR(8) NOT NULL,
    ts TIMESTAMP WITH TIME ZONE NOT NULL,
    open DOUBLE PRECISION NOT NULL,
    high DOUBLE PRECISION NOT NULL,
    low DOUBLE PRECISION NOT NULL,
    close DOUBLE PRECISION NOT NULL,
    volume DOUBLE PRECISION NOT NULL,
    source VARCHAR(32) NOT NULL
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if _timescale_available(bind):
        _to_hypertable()
        return
    _swap_table(
        "bars_plain",
        f"""CREATE TABLE bars ({COLUMN_DDL},
            CONSTRAINT uq_bars_symbol_timeframe_ts UNIQUE (symbol, timeframe, ts)
        ) PARTITION BY RANGE (ts)""",
    )
    months = bind.execute(
        sa.text("SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') FROM bars_plain")
    ).scalars()
    for month in months:
        _create_partition(month.replace(tzinfo=UTC))
    op.execute("CREATE TABLE bars_default PARTITION OF bars DEFAULT")
    op.execute(f"INSERT INTO bars ({COLUMNS}) SELECT {COLUMNS} FROM bars_plain")
    op.execute("DROP TABLE bars_plain")
    op.execute("ALTER SEQUENCE bars_id_seq OWNED BY bars.id")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if _is_hypertable(bind):
        _from_hypertable()
        return
    _swap_table(
        "bars_partitioned",
        f"""CREATE TABLE bars ({COLUMN_DDL},
            CONSTRAINT pk_bars PRIMARY KEY (id),
            CONSTRAINT uq_bars_symbol_timeframe_ts UNIQUE (symbol, timeframe, ts)
        )""",
    )
    op.execute(f"INSERT INTO bars ({COLUMNS}) SELECT {COLUMNS} FROM bars_partitioned")
    op.execute("DROP TABLE bars_partitioned")
    op.execute("ALTER SEQUENCE bars_id_seq OWNED BY bars.id")


def _swap_table(old_name: str, create_sql: str) -> None:
    """Rename ``bars`` (and its constraints) out of the way, keeping its id sequence."""
    op.execute(f"ALTER TABLE bars RENAME TO {old_name}")
    for constraint in _constraints(old_name):
        op.execute(
            f"ALTER TABLE {old_name} RENAME CONSTRAINT {constraint} "
            f"TO {constraint.replace('bars', old_name, 1)}"
        )
    op.execute("ALTER SEQUENCE bars_id_seq OWNED BY NONE")
    op.execute(create_sql)


def _constraints(table: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:table AS regclass) "
            "AND contype IN ('p', 'u')"
        ),
        {"table": table},
    )
    return [name for (name,) in rows if name.startswith(("pk_bars", "uq_bars"))]


def _create_partition(month: datetime) -> None:
    following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    op.execute(
        f"CREATE TABLE IF NOT EXISTS bars_y{month.year:04d}m{month.month:02d} PARTITION OF bars "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
    )


def _timescale_available(bind: sa.engine.Connection) -> bool:
    query = "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
    return bind.execute(sa.text(query)).first() is not None


def _is_hypertable(bind: sa.engine.Connection) -> bool:
    exists = bind.execute(sa.text("SELECT to_regclass('timescaledb_information.hypertables')"))
    if exists.scalar() is None:
        return False
    query = "SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'bars'"
    return bind.execute(sa.text(query)).first() is not None


def _to_hypertable() -> None:
    # Unique indexes of a hypertable must contain the time column: the id key gains ts.
    op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    op.execute("ALTER TABLE bars DROP CONSTRAINT pk_bars")
    op.execute("ALTER TABLE bars ADD CONSTRAINT pk_bars PRIMARY KEY (id, ts)")
    op.execute(
        "SELECT create_hypertable('bars', 'ts', chunk_time_interval => INTERVAL '1 month', "
        "migrate_data => true)"
    )
    op.execute(
        "ALTER TABLE bars SET (timescaledb.compress, "
        "timescaledb.compress_segmentby = 'symbol, timeframe', "
        "timescaledb.compress_orderby = 'ts DESC')"
    )
    op.execute("SELECT add_compression_policy('bars', INTERVAL '90 days')")


def _from_hypertable() -> None:
    op.execute("SELECT remove_compression_policy('bars', if_exists => true)")
    _swap_table(
        "bars_hyper",
        f"""CREATE TABLE bars ({COLUMN_DDL},
            CONSTRAINT pk_bars PRIMARY KEY (id),
            CONSTRAINT uq_bars_symbol_timeframe_ts UNIQUE (symbol, timeframe, ts)
        )""",
    )
    op.execute(f"INSERT INTO bars ({COLUMNS}) SELECT {COLUMNS} FROM bars_hyper")
    op.execute("DROP TABLE bars_hyper")
    op.execute("ALTER SEQUENCE bars_id_seq OWNED BY bars.id")

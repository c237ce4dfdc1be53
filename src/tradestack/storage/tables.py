"""The schema as SQLAlchemy Core tables; Alembic migrations create it, nothing else does."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import false

from tradestack.storage.types import Money, UtcDateTime

_Id = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


bars = Table(
    "bars",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("symbol", String(64), nullable=False),
    Column("timeframe", String(8), nullable=False),
    Column("ts", UtcDateTime(), nullable=False),
    Column("open", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("close", Float, nullable=False),
    Column("volume", Float, nullable=False),
    Column("source", String(32), nullable=False),
    UniqueConstraint("symbol", "timeframe", "ts"),
)

# One row per stored series, kept by tradestack's bar writes: its time bounds and row count.
# Reads use ``last_ts`` as a hint to bound "latest N" queries, so PostgreSQL prunes partitions.
bar_series = Table(
    "bar_series",
    metadata,
    Column("symbol", String(64), primary_key=True),
    Column("timeframe", String(8), primary_key=True),
    Column("first_ts", UtcDateTime(), nullable=False),
    Column("last_ts", UtcDateTime(), nullable=False),
    Column("row_count", BigInteger, nullable=False),
)

# Progress of each (symbol, timeframe, source) backfill: where to resume, whether it is complete.
ingest_state = Table(
    "ingest_state",
    metadata,
    Column("symbol", String(64), primary_key=True),
    Column("timeframe", String(8), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("first_ts", UtcDateTime()),
    Column("last_ts", UtcDateTime()),
    Column("target_end", UtcDateTime()),
    Column("complete", Boolean, nullable=False),
    Column("stored_total", BigInteger, nullable=False),
    Column("rejected_total", BigInteger, nullable=False),
    Column("last_rejects", JSON, nullable=False),
    Column("last_error", Text),
    Column("last_ingest_at", UtcDateTime(), nullable=False),
)

# One row per Parquet file of archived bars (rows deleted from ``bars`` after verification).
bar_archives = Table(
    "bar_archives",
    metadata,
    Column("symbol", String(64), primary_key=True),
    Column("timeframe", String(8), primary_key=True),
    Column("first_ts", UtcDateTime(), primary_key=True),
    Column("last_ts", UtcDateTime(), nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("archived_at", UtcDateTime(), nullable=False),
)

traders = Table(
    "traders",
    metadata,
    Column("trader_id", String(64), primary_key=True),
    Column("strategy", String(64), nullable=False),
    Column("params", JSON, nullable=False),
    Column("symbol", String(64), nullable=False),
    Column("timeframe", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("account_id", String(64), nullable=False, server_default="default"),
    Column("config", JSON),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("client_order_id", String(64), primary_key=True),
    Column("trader_id", String(64), nullable=False, index=True),
    Column("symbol", String(64), nullable=False),
    Column("side", String(8), nullable=False),
    Column("type", String(16), nullable=False),
    Column("time_in_force", String(8), nullable=False),
    Column("quantity", Money(), nullable=False),
    Column("price", Money()),
    Column("stop_price", Money()),
    Column("trailing_amount", Money()),
    Column("trailing_percent", Money()),
    Column("reduce_only", Boolean, nullable=False, server_default=false()),
    Column("post_only", Boolean, nullable=False, server_default=false()),
    Column("position_side", String(8), nullable=False, server_default="BOTH"),
    Column("parent_order_id", String(64)),
    Column("oco_group", String(64)),
    Column("status", String(24), nullable=False, index=True),
    Column("filled_quantity", Money(), nullable=False),
    Column("average_fill_price", Money()),
    Column("venue_order_id", String(64)),
    Column("reason", Text),
    Column("trace_id", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

fills = Table(
    "fills",
    metadata,
    Column("trade_id", String(64), primary_key=True),
    Column("client_order_id", String(64), nullable=False, index=True),
    Column("trader_id", String(64), nullable=False, index=True),
    Column("symbol", String(64), nullable=False),
    Column("side", String(8), nullable=False),
    Column("quantity", Money(), nullable=False),
    Column("price", Money(), nullable=False),
    Column("fee", Money(), nullable=False),
    Column("fee_asset", String(16), nullable=False),
    Column("liquidity", String(8), nullable=False),
    Column("position_side", String(8), nullable=False, server_default="BOTH"),
    Column("ts", UtcDateTime(), nullable=False),
)

positions = Table(
    "positions",
    metadata,
    Column("trader_id", String(64), primary_key=True),
    Column("symbol", String(64), primary_key=True),
    Column("position_side", String(8), primary_key=True, server_default="BOTH"),
    Column("quantity", Money(), nullable=False),
    Column("average_price", Money(), nullable=False),
    Column("realized_pnl", Money(), nullable=False),
    Column("fees_paid", Money(), nullable=False),
    Column("last_price", Money()),
    Column("updated_at", UtcDateTime(), nullable=False),
)

balances = Table(
    "balances",
    metadata,
    Column("trader_id", String(64), primary_key=True),
    Column("asset", String(16), primary_key=True),
    Column("free", Money(), nullable=False),
    Column("locked", Money(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

signals = Table(
    "signals",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("trader_id", String(64), nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("symbol", String(64), nullable=False),
    Column("side", String(8), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("price", Float, nullable=False),
    Column("ts", UtcDateTime(), nullable=False),
    Index(None, "trader_id", "ts"),
)

trader_progress = Table(
    "trader_progress",
    metadata,
    Column("trader_id", String(64), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("last_bar_ts", UtcDateTime(), nullable=False),
)

equity_snapshots = Table(
    "equity_snapshots",
    metadata,
    Column("trader_id", String(64), primary_key=True),
    Column("ts", UtcDateTime(), primary_key=True),
    Column("equity", Money(), nullable=False),
    Column("cash", Money(), nullable=False),
    Column("realized_pnl", Money(), nullable=False),
    Column("unrealized_pnl", Money(), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(64), nullable=False, index=True),
    Column("trace_id", String(64), nullable=False, index=True),
    Column("source_service", String(64), nullable=False),
    Column("trader_id", String(64)),
    Column("ts", UtcDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("type", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("subject", String(128), nullable=False, server_default=""),
    Column("message", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("acknowledged", Boolean, nullable=False, server_default=false()),
    Column("acknowledged_by", String(128)),
    Column("acknowledged_at", UtcDateTime()),
    Column("raised_at", UtcDateTime(), nullable=False, index=True),
    Column("resolved_at", UtcDateTime()),
    Index(None, "type", "subject", "resolved_at"),
)

model_performance = Table(
    "model_performance",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("scope", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("strategy", String(64)),
    Column("window_start", UtcDateTime(), nullable=False),
    Column("window_end", UtcDateTime(), nullable=False),
    Column("trades", Integer, nullable=False),
    Column("win_rate", Float),
    Column("profit_factor", Float),
    Column("sharpe", Float),
    Column("max_drawdown_pct", Float, nullable=False),
    Column("exposure_pct", Float, nullable=False),
    Column("net_pnl", Money(), nullable=False),
    Column("fees_paid", Money(), nullable=False),
    Column("slippage_bps", Float),
    Column("metrics", JSON, nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("scope", "name", "window_start", "window_end"),
)

backtests = Table(
    "backtests",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
    Column("strategy", String(64), nullable=False),
    Column("params", JSON, nullable=False),
    Column("symbol", String(64), nullable=False),
    Column("timeframe", String(8), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("start_ts", UtcDateTime(), nullable=False),
    Column("end_ts", UtcDateTime(), nullable=False),
    Column("bars", Integer, nullable=False),
    Column("starting_cash", Money(), nullable=False),
    Column("fee_rate", Money(), nullable=False),
    Column("lot_size", Money(), nullable=False),
    Column("final_equity", Money(), nullable=False),
    Column("trades", Integer, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("trade_list", JSON, nullable=False),
    Column("equity", JSON, nullable=False),
)

# One row per backup taken of this database (the files live under $TRADESTACK_HOME/backups).
schema_backups = Table(
    "schema_backups",
    metadata,
    Column("backup_id", String(64), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("schema_revision", String(64)),
    Column("format", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("restored_at", UtcDateTime()),
)

# One row per row imported from an older system: its original id and where it went.
legacy_records = Table(
    "legacy_records",
    metadata,
    Column("source_table", String(64), primary_key=True),
    Column("original_id", String(128), primary_key=True),
    Column("target_table", String(64), nullable=False, index=True),
    Column("target_key", Text, nullable=False),
    Column("import_id", String(64), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),
    Column("name", String(64), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("expires_at", UtcDateTime()),
    Column("trader_ids", Text()),  # comma-separated scope; NULL: every trader
)

# A write the assistant proposed, waiting for a person to confirm or reject it.
assistant_confirmations = Table(
    "assistant_confirmations",
    metadata,
    Column("confirmation_id", String(32), primary_key=True),
    Column("tool", String(64), nullable=False),
    Column("arguments", JSON, nullable=False),
    Column("params_hash", String(64), nullable=False),
    Column("required_role", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("requested_by", String(128), nullable=False),
    Column("trace_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(128)),
    Column("decided_at", UtcDateTime()),
    Column("result", Text),
)

models = Table(
    "models",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("algorithm", String(32), nullable=False),
    Column("feature_specs", JSON, nullable=False),
    Column("feature_hash", String(64), nullable=False),
    Column("label", JSON, nullable=False),
    Column("symbol", String(64), nullable=False),
    Column("timeframe", String(16), nullable=False),
    Column("dataset_start", UtcDateTime()),
    Column("dataset_end", UtcDateTime()),
    Column("dataset_fingerprint", String(64), nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("artefact_path", Text, nullable=False),
    Column("artefact_checksum", String(64), nullable=False),
    Column("artefact_format", String(16), nullable=False),
    Column("trusted", Boolean, nullable=False, server_default=false()),
    Column("stage", String(16), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("promoted_at", UtcDateTime()),
    Column("notes", Text),
    UniqueConstraint("name", "version"),
)

learning_samples = Table(
    "learning_samples",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("model", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("role", String(16), nullable=False),
    Column("trader_id", String(64)),
    Column("symbol", String(64), nullable=False),
    Column("timeframe", String(16), nullable=False),
    Column("ts", UtcDateTime(), nullable=False),
    Column("features", JSON, nullable=False),
    Column("prediction", Float, nullable=False),
    Column("outcome", Float),
    Column("realised_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("model", "version", "symbol", "timeframe", "ts", "trader_id"),
)

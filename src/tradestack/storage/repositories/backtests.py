"""Stored backtest runs: one row per run; metrics, trades and thinned equity as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.tables import backtests


@dataclass(frozen=True, slots=True)
class BacktestRecord:
    """A stored run; ``id`` is None until inserted. JSON columns hold only JSON-safe values."""

    created_at: datetime
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    engine: str
    start_ts: datetime
    end_ts: datetime
    bars: int
    starting_cash: Decimal
    fee_rate: Decimal
    lot_size: Decimal
    final_equity: Decimal
    trades: int
    metrics: dict[str, Any]
    trade_list: list[dict[str, Any]]
    equity: list[list[Any]]
    id: int | None = None


_SUMMARY_COLUMNS = [c for c in backtests.columns if c.name not in {"trade_list", "equity"}]


async def insert_backtest(connection: AsyncConnection, record: BacktestRecord) -> int:
    values = {k: getattr(record, k) for k in BacktestRecord.__slots__ if k != "id"}
    result = await connection.execute(backtests.insert().returning(backtests.c.id), values)
    return int(result.scalar_one())


async def list_backtests(
    connection: AsyncConnection,
    *,
    strategy: str | None = None,
    symbol: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[BacktestRecord]:
    """Newest first, without the trade list and equity curve (empty in the records)."""
    query = select(*_SUMMARY_COLUMNS)
    if strategy is not None:
        query = query.where(backtests.c.strategy == strategy)
    if symbol is not None:
        query = query.where(backtests.c.symbol == symbol)
    query = query.order_by(backtests.c.id.desc()).limit(limit).offset(offset)
    rows = (await connection.execute(query)).all()
    return [BacktestRecord(**row._mapping, trade_list=[], equity=[]) for row in rows]


async def get_backtest(connection: AsyncConnection, backtest_id: int) -> BacktestRecord | None:
    row = (await connection.execute(select(backtests).where(backtests.c.id == backtest_id))).first()
    return BacktestRecord(**row._mapping) if row is not None else None


async def count_backtests(connection: AsyncConnection) -> int:
    return int((await connection.execute(select(func.count()).select_from(backtests))).scalar_one())

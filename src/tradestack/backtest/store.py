"""Keep backtest runs in the ``backtests`` table and read them back for the CLI and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from tradestack.backtest.metrics import Metrics
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.summary import equity_points, trade_row
from tradestack.errors import NotFoundError
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.backtests import (
    BacktestRecord,
    get_backtest,
    insert_backtest,
    list_backtests,
)


def record_of(result: BacktestResult, metrics: Metrics) -> BacktestRecord:
    """Describe a run for storage: Decimals in the JSON columns become exact strings."""
    config, traded = result.config, result.traded
    trades = msgspec.to_builtins([trade_row(t, full=True) for t in result.trades])
    return BacktestRecord(
        created_at=datetime.now(UTC),
        strategy=config.strategy,
        params=msgspec.to_builtins(dict(config.params)),
        symbol=traded.symbol,
        timeframe=traded.timeframe,
        engine=result.engine,
        start_ts=traded.datetime_at(0),
        end_ts=traded.datetime_at(len(traded) - 1),
        bars=len(traded),
        starting_cash=config.cash,
        fee_rate=config.fee_rate,
        lot_size=config.lot_size,
        final_equity=result.final_equity,
        trades=metrics.trades,
        metrics=metrics.as_dict(),
        trade_list=trades,
        equity=equity_points(result),
    )


async def save_run(db: Database, result: BacktestResult, metrics: Metrics) -> int:
    """Store a run (migrating the database first if needed) and return its id."""
    await migrations.upgrade(db.engine)
    async with db.transaction() as connection:
        return await insert_backtest(connection, record_of(result, metrics))


async def find_runs(
    db: Database,
    *,
    strategy: str | None = None,
    symbol: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[BacktestRecord]:
    async with db.read() as connection:
        return await list_backtests(
            connection, strategy=strategy, symbol=symbol, limit=limit, offset=offset
        )


async def find_run(db: Database, backtest_id: int) -> BacktestRecord:
    """Return one run with its trades and equity; raise NotFoundError if there is none."""
    async with db.read() as connection:
        record = await get_backtest(connection, backtest_id)
    if record is None:
        raise NotFoundError(f"no backtest with id {backtest_id}")
    return record

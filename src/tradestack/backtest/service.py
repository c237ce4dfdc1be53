"""Backtest use cases for the CLI and API: load the bars, run an engine, summarise, compare."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tradestack.backtest.compare import Comparison, compare
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import make_strategy, run_event
from tradestack.backtest.loading import load_file, load_stored
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import run_vector
from tradestack.errors import ConfigError
from tradestack.storage import migrations
from tradestack.storage.database import Database

if TYPE_CHECKING:
    from tradestack.marketdata.pipeline import Progress


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where the bars come from: a file, or the stored bars of ``database_url``."""

    symbol: str
    timeframe: str
    path: Path | None = None
    database_url: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def load(self) -> BarSeries:
        """Read the bars; raise DataImportError (bad file, no bars) or DatabaseUnavailableError."""
        if self.path is not None:
            series = load_file(self.path, symbol=self.symbol, timeframe=self.timeframe)
            return _clip(series, self.start, self.end)
        if self.database_url is None:
            raise ConfigError("give --data FILE or a database with stored bars")
        return asyncio.run(self._load_stored(self.database_url))

    async def _load_stored(self, url: str) -> BarSeries:
        db = Database(url)
        try:
            await db.check()
            await migrations.upgrade(db.engine)
            return await load_stored(
                db, symbol=self.symbol, timeframe=self.timeframe, start=self.start, end=self.end
            )
        finally:
            await db.dispose()


def parse_params(pairs: list[str]) -> dict[str, str]:
    """Turn ``["fast=10", "slow=30"]`` into a dict; raise ConfigError on a malformed pair."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ConfigError(f"--param expects NAME=VALUE, got {pair!r}")
        params[name.strip()] = value.strip()
    return params


def resolve_params(config: BacktestConfig) -> BacktestConfig:
    """Check the strategy and its parameters now, and keep them typed (``"10"`` becomes 10)."""
    return dataclasses.replace(config, params=make_strategy(config).params)


def run(
    series: BarSeries,
    config: BacktestConfig,
    engine: str = "event",
    progress: Progress | None = None,
) -> BacktestResult:
    """Run one engine by name; the event engine reports to ``progress`` as it goes."""
    if engine == "event":
        return run_event(series, config, progress)
    if engine == "vector":
        return run_vector(series, config)
    raise ConfigError(f"unknown engine {engine!r} (choose event or vector)")


def run_both(series: BarSeries, config: BacktestConfig) -> tuple[Comparison, BacktestResult]:
    """Run both engines and compare them; return the comparison and the event-driven result."""
    event = run_event(series, config)
    return compare(event, run_vector(series, config)), event


def _clip(series: BarSeries, start: datetime | None, end: datetime | None) -> BarSeries:
    first, last = 0, len(series)
    if start is not None:
        first = int(np.searchsorted(series.ts, _datetime64(start)))
    if end is not None:
        last = int(np.searchsorted(series.ts, _datetime64(end)))
    if first == 0 and last == len(series):
        return series
    if last <= first:
        raise ConfigError("no bars between --start and --end")
    return series.window(first, last)


def _datetime64(value: datetime) -> np.datetime64:
    utc = value.astimezone(UTC) if value.tzinfo else value
    return np.datetime64(utc.replace(tzinfo=None), "us")

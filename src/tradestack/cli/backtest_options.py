"""Option parsing shared by ``tradestack backtest`` and ``tradestack backtest optimize``.

Both commands build a run's configuration and its data source the same way;
this module sits below both, so neither imports the other.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from tradestack.cli.settings_option import settings_from
from tradestack.errors import ConfigError
from tradestack.marketdata.csv_import import parse_timestamp

if TYPE_CHECKING:
    from tradestack.backtest.config import BacktestConfig
    from tradestack.backtest.service import DataSource


def backtest_config(
    strategy: str, params: list[str] | None, cash: str, fee: str, lot: str
) -> BacktestConfig:
    """Build the run's configuration from option texts; raise ConfigError naming a bad one."""
    from tradestack.backtest.config import BacktestConfig
    from tradestack.backtest.service import parse_params, resolve_params

    try:
        given = BacktestConfig(
            strategy=strategy,
            params=parse_params(params or []),
            cash=parse_decimal("--cash", cash),
            fee_rate=parse_decimal("--fee", fee),
            lot_size=parse_decimal("--lot-size", lot),
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return resolve_params(given)


def data_source(
    data: Path | None,
    symbol: str,
    timeframe: str,
    start: str | None,
    end: str | None,
    config: Path | None,
) -> DataSource:
    from tradestack.backtest.service import DataSource

    url = None if data is not None else settings_from(config).database_url
    return DataSource(
        symbol=symbol,
        timeframe=timeframe,
        path=data,
        database_url=url,
        start=parse_time("--start", start),
        end=parse_time("--end", end),
    )


def parse_decimal(option: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"{option} {text!r} is not a number") from None
    if not value.is_finite():
        raise ConfigError(f"{option} {text!r} is not a finite number")
    return value


def parse_time(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as error:
        raise ConfigError(f"{option}: {error}") from None

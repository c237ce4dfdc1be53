"""The default trader does not bleed its equity in fees on one-minute noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.series import BarSeries
from tradestack.config.settings import PaperSettings, RunSettings
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.synthetic import SyntheticMarket

DAYS = 60


def test_default_is_a_fee_aware_sma_on_15_minute_bars() -> None:
    run = RunSettings()
    assert (run.strategy, run.timeframe) == ("sma_cross", "15m")
    assert run.strategy_params == {"fast": 20, "slow": 50}
    assert "15m" in run.describe_default()
    assert RunSettings(strategy="channel_breakout").strategy_params == {}
    assert RunSettings(strategy_params={"fast": 3, "slow": 8}).strategy_params["fast"] == 3


def _backtest(timeframe: str, params: dict[str, int]) -> tuple[Decimal, Decimal]:
    run = RunSettings()
    frame = Timeframe.parse(timeframe)
    count = DAYS * 86_400 // frame.seconds
    start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=DAYS)
    bars = SyntheticMarket(seed=run.seed).bars(run.symbol, timeframe, start, count)
    config = BacktestConfig(
        strategy="sma_cross",
        params=params,
        cash=run.starting_cash,
        fee_rate=PaperSettings().fee_rate,
        lot_size=run.lot_size,
    )
    result = run_event(BarSeries.from_bars(bars), config)
    return result.final_equity, result.fees


@pytest.mark.slow
def test_the_default_keeps_most_of_its_equity_where_the_old_one_lost_it_to_fees() -> None:
    run = RunSettings()
    equity, fees = _backtest(run.timeframe, dict(run.strategy_params))  # type: ignore[arg-type]
    old_equity, old_fees = _backtest("1m", {"fast": 10, "slow": 30})
    assert fees < run.starting_cash * Decimal("0.25")
    assert equity > run.starting_cash * Decimal("0.75")
    assert old_fees > 5 * fees and old_equity < equity

"""The vectorised engine agrees exactly with the event-driven one (trades) and to 1e-9 (equity)."""

from decimal import Decimal as D

import numpy as np
import pytest

from tests.unit.backtest.conftest import continuous, series_from, synthetic
from tradestack.backtest.compare import compare
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import run_vector
from tradestack.strategy import registry
from tradestack.strategy.sma_cross import SmaCross


def both(series: BarSeries, config: BacktestConfig) -> list[str]:
    return compare(run_event(series, config), run_vector(series, config)).differences


@pytest.mark.parametrize(
    ("fee", "lot", "params"),
    [
        ("0.001", "1", {"fast": 10, "slow": 30}),
        ("0", "0.001", {"fast": 5, "slow": 20}),
        ("0.002", "0.01", {"fast": 3, "slow": 50}),
    ],
)
def test_engines_agree_on_synthetic_minutes(fee: str, lot: str, params: dict[str, int]) -> None:
    config = BacktestConfig(
        "sma_cross", params, cash=D(1_000_000), fee_rate=D(fee), lot_size=D(lot)
    )
    assert both(synthetic(20_000), config) == []


def test_engines_agree_on_gaps_and_warm_up() -> None:
    rng = np.random.default_rng(3)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 3000)))
    opens = np.r_[closes[0], closes[:-1]] * np.exp(rng.normal(0, 0.01, 3000))
    series = series_from(opens.round(2).tolist(), closes.round(2).tolist())
    config = BacktestConfig("sma_cross", {"fast": 4, "slow": 9}, cash=D(10_000), warmup_bars=100)
    assert both(series, config) == []


class ShortSmaCross(SmaCross):
    name = "sma_cross_short_test"
    allow_short = True


def test_engines_agree_when_the_strategy_may_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._BUILT_IN, ShortSmaCross.name, ShortSmaCross)
    config = BacktestConfig(ShortSmaCross.name, {"fast": 10, "slow": 30}, cash=D(1_000_000))
    event = run_event(synthetic(5_000), config)
    assert (event.position < 0).any() and (event.position > 0).any()
    assert both(synthetic(5_000), config) == []


def test_compare_reports_every_difference() -> None:
    config = BacktestConfig("sma_cross", {"fast": 2, "slow": 3}, cash=D(1000))
    series = continuous([10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8])
    event, vector = run_event(series, config), run_vector(series, config)
    vector.equity[5] += 1
    vector.trade_arrays.size[0] += 1
    vector._trades = None
    differences = compare(event, vector).differences
    assert any("equity at bar 5" in d for d in differences)
    assert any("trade 1 size" in d for d in differences)

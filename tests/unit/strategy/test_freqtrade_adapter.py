"""A real freqtrade IStrategy file runs unchanged and trades as freqtrade's own backtest does."""

from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from tradestack.backtest.compare import compare
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import run_vector
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.strategy import registry
from tradestack.strategy.foreign.freqtrade import available

pytestmark = pytest.mark.skipif(
    not available(), reason="freqtrade is not installed: pip install 'tradestack[freqtrade]'"
)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "freqtrade"
STRATEGY = FIXTURES / "EmaRsiStrategy.py"


@pytest.fixture(autouse=True)
def strategy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})
    monkeypatch.setenv("TRADESTACK_STRATEGY_PATH", str(FIXTURES))


def bars(count: int = 2000) -> list:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return SyntheticMarket(seed=4, annual_volatility=1.0).bars("BTC/USDT", "5m", start, count)


def test_the_file_loads_as_a_freqtrade_interface_3_strategy() -> None:
    entry = registry.find_strategy("EmaRsiStrategy")
    assert entry.interface == "freqtrade IStrategy v3" and entry.source == "file"
    strategy = registry.create_strategy("EmaRsiStrategy")
    assert strategy.warmup_bars == 60 and strategy.timeframe == "5m"  # type: ignore[attr-defined]


@pytest.mark.slow
def test_trades_equal_freqtrades_own_backtest_on_the_same_bars() -> None:
    from tradestack.strategy.foreign.freqtrade_backtest import freqtrade_backtest

    data = bars()
    theirs = freqtrade_backtest(STRATEGY, "EmaRsiStrategy", data)
    config = BacktestConfig(
        "EmaRsiStrategy",
        {},
        cash=D(100_000),
        fee_rate=D("0.001"),
        lot_size=D("0.00000001"),
        warmup_bars=60,
    )
    series = BarSeries.from_bars(data)
    ours = run_vector(series, config).trades
    closed_by_signal = [t for t in theirs if t.exit_reason == "exit_signal"]
    assert len(closed_by_signal) > 20
    pairs = list(zip(ours, closed_by_signal, strict=False))
    assert len(ours) >= len(closed_by_signal)
    for mine, reference in pairs:
        assert mine.entry_time == reference.open_date
        assert mine.exit_time == reference.close_date
        assert float(mine.entry_price) == pytest.approx(reference.open_rate, rel=1e-9)
        assert float(mine.exit_price) == pytest.approx(reference.close_rate, rel=1e-9)
    # and bar by bar (paper trading's path) gives the same trades as the vectorised run
    assert (
        compare(
            run_event(series.window(0, 800), config), run_vector(series.window(0, 800), config)
        ).differences
        == []
    )

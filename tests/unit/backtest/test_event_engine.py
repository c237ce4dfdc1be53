from decimal import Decimal as D

import pytest

from tests.unit.backtest.conftest import continuous, series_from
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.errors import ConfigError, NotFoundError

# fast=2, slow=3: golden cross at bar 6 (close 11), death cross at bar 9 (close 9).
CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]


def config(**kw: object) -> BacktestConfig:
    values: dict[str, object] = {
        "strategy": "sma_cross",
        "params": {"fast": 2, "slow": 3},
        "cash": D(1000),
        "fee_rate": D("0.001"),
    }
    values.update(kw)
    return BacktestConfig(**values)  # type: ignore[arg-type]


def test_fills_at_next_open_all_in_with_fees_and_whole_lots() -> None:
    result = run_event(continuous(CLOSES), config())
    (trade,) = result.trades
    # BUY at bar 6's close fills at bar 7's open (11): 1000 / (11 * 1.001) -> 90 units.
    assert (trade.entry_index, trade.entry_price, trade.size) == (7, D(11), D(90))
    assert (trade.exit_index, trade.exit_price) == (10, D(9))
    assert trade.fees == D("0.99") + D("0.81")
    assert trade.pnl == 90 * (D(9) - D(11)) - trade.fees
    assert result.final_equity == D(1000) + trade.pnl
    assert result.equity[-1] == pytest.approx(float(result.final_equity))


def test_lot_size_rounds_down_after_fees() -> None:
    result = run_event(continuous(CLOSES), config(lot_size=D("0.25")))
    assert result.trades[0].size == D("90.75")  # 1000 / 11.011 = 90.818...


def test_gap_up_entry_is_resized_at_the_open_not_rejected() -> None:
    opens = [10, 10, 10, 9, 8, 9, 11, 14, 11, 9, 8, 8]  # bar 7 opens 3 above bar 6's close
    result = run_event(series_from(opens, CLOSES), config())
    assert result.trades[0].entry_price == D(14)
    assert result.trades[0].size == D(71)  # 1000 / (14 * 1.001)


def test_open_position_is_closed_at_the_last_close_and_counted() -> None:
    closes = [10, 10, 10, 9, 8, 9, 11, 12, 13, 14]
    result = run_event(continuous(closes), config())
    (trade,) = result.trades
    assert (trade.exit_index, trade.exit_price) == (9, D(14))
    assert result.position[-1] == 0
    assert result.final_equity == D(1000) + trade.pnl


def test_long_only_never_goes_short() -> None:
    result = run_event(continuous([10, 10, 10, 12, 14, 13, 10, 8, 7, 7]), config())
    assert (result.position >= 0).all()
    assert all(t.direction == 1 for t in result.trades)


def test_warm_up_bars_prime_the_strategy_without_trading() -> None:
    result = run_event(continuous(CLOSES), config(warmup_bars=6))
    assert result.bars == len(CLOSES) - 6
    (trade,) = result.trades
    assert trade.entry_index == 1  # bar 7 of the data, the first after the warm-up


def test_equity_curve_marks_every_bar_at_its_close() -> None:
    result = run_event(continuous(CLOSES), config(fee_rate=D(0)))
    assert result.equity[7] == pytest.approx(1000 - 90 * 11 + 90 * 12)
    assert result.position.tolist()[6:11] == [0, 90, 90, 90, 0]


def test_bad_parameters_are_our_errors() -> None:
    with pytest.raises(ConfigError, match="fast < slow"):
        run_event(continuous(CLOSES), config(params={"fast": 5, "slow": 3}))
    with pytest.raises(ConfigError, match="unknown parameter"):
        run_event(continuous(CLOSES), config(params={"speed": 5}))
    with pytest.raises(NotFoundError, match="unknown strategy"):
        run_event(continuous(CLOSES), config(strategy="nope"))

"""A populate(frame) strategy gives the same trades in the vectorised engine and bar by bar."""

from decimal import Decimal as D

import pandas as pd
import pytest

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.service import run_both
from tradestack.strategy import registry
from tradestack.strategy.base import Parameter
from tradestack.strategy.vector import VectorStrategy, signal_codes


class MeanCross(VectorStrategy):
    name = "mean_cross_test"
    window = 60
    parameters = (Parameter("fast", int, 8), Parameter("slow", int, 34))

    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        fast = frame["close"].rolling(int(self.params["fast"])).mean()
        slow = frame["close"].rolling(int(self.params["slow"])).mean()
        above = fast > slow
        frame["enter_long"] = above & ~above.shift(1, fill_value=False)
        frame["exit_long"] = ~above & above.shift(1, fill_value=False)
        return frame


class TargetFlip(MeanCross):
    name = "target_flip_test"

    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        fast = frame["close"].rolling(int(self.params["fast"])).mean()
        slow = frame["close"].rolling(int(self.params["slow"])).mean()
        frame["target"] = (fast > slow).astype(float)
        frame.loc[slow.isna(), "target"] = 0.0
        return frame


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (MeanCross, TargetFlip):
        monkeypatch.setitem(registry._BUILT_IN, cls.name, cls)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mean_cross_test", "target_flip_test"])
def test_vector_engine_and_bar_by_bar_give_the_same_trades(name: str) -> None:
    config = BacktestConfig(name, {}, cash=D(100_000), fee_rate=D("0.001"), lot_size=D("0.001"))
    comparison, event = run_both(synthetic(900), config)
    assert comparison.differences == []
    assert comparison.trades[0] == comparison.trades[1] > 5
    assert len(event.trades) == comparison.trades[0]


def test_signal_codes_entries_exits_and_targets() -> None:
    frame = pd.DataFrame(
        {
            "enter_long": [True, False, True, False],
            "exit_long": [False, True, True, False],
            "enter_short": [False, False, False, True],
        }
    )
    assert list(signal_codes(frame)) == [1, 2, 2, -1]
    targets = pd.DataFrame({"target": [0, 1, 1, -1, 0, float("nan")]})
    assert list(signal_codes(targets)) == [0, 1, 0, -1, 2, 0]

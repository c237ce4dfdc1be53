"""``strategy new NAME``: a v2 strategy file and its test, ready for ``strategy check``."""

from __future__ import annotations

import re
from pathlib import Path

from tradestack.errors import ConfigError

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")

TEMPLATE = '''"""{title}: buy RSI dips in an uptrend, with a stop-loss and a take-profit bracket."""

from __future__ import annotations

from tradestack.domain.orders import Fill
from tradestack.domain.signals import Signal
from tradestack.strategy.base import Parameter, StrategyContext
from tradestack.strategy.indicators import Indicator
from tradestack.strategy.v2 import BarData, StrategyV2


class {cls}(StrategyV2):
    """Long when RSI dips below ``oversold`` while the close is above its slow EMA."""

    name = "{name}"
    description = "RSI dips in an uptrend; ATR stop-loss and take-profit bracket."
    window = 300  # bars of history kept (numpy arrays); warm-up fills it
    parameters = (
        Parameter("rsi_period", int, 14, minimum=2, description="bars in the RSI"),
        Parameter("oversold", float, 30.0, minimum=1, maximum=99, description="RSI entry level"),
        Parameter("overbought", float, 70.0, minimum=1, maximum=99, description="RSI exit level"),
        Parameter("trend", int, 100, minimum=2, maximum=299, description="bars in the slow EMA"),
        Parameter("atr_stop", float, 2.0, minimum=0.1, description="stop distance in ATRs"),
    )

    def indicators(self) -> list[Indicator]:
        return [
            Indicator("rsi", "RSI", timeperiod=self.params["rsi_period"]),
            Indicator("ema", "EMA", timeperiod=self.params["trend"]),
            Indicator("atr", "ATR", timeperiod=14),
        ]

    def next(self, data: BarData) -> Signal | None:
        rsi, ema, atr = data["rsi"], data["ema"], data["atr"]
        if rsi != rsi or ema != ema or atr != atr:  # NaN until enough bars
            return None
        close = data.bar.close
        if data.position == 0 and close > ema and rsi < self.params["oversold"]:
            stop = close - self.params["atr_stop"] * atr
            return data.buy(stop_loss=stop, take_profit=close + 2 * (close - stop))
        if data.position > 0 and rsi > self.params["overbought"]:
            return data.exit()
        return None

    def on_fill(self, fill: Fill, context: StrategyContext) -> None:
        self.last_fill_price = float(fill.price)  # callbacks see every fill of this trader
'''

TEST_TEMPLATE = '''"""Tests for the {name} strategy: run with ``pytest {test_path}``."""

from pathlib import Path

from tradestack.strategy.check import check, entries_for

STRATEGY_FILE = Path(__file__).resolve().parents[1] / "{name}.py"


def test_{name}_passes_strategy_check() -> None:
    (entry,) = entries_for(str(STRATEGY_FILE))
    result = check(entry)
    assert result.passed, result.lines


def test_{name}_rejects_an_rsi_level_out_of_bounds() -> None:
    (entry,) = entries_for(str(STRATEGY_FILE))
    result = check(entry, {{"oversold": 150}})
    assert not result.passed
'''


def new_strategy(name: str, directory: Path) -> tuple[Path, Path]:
    """Write ``NAME.py`` and ``tests/test_NAME.py`` under ``directory``; never overwrite."""
    if not _NAME.match(name):
        raise ConfigError(
            f"strategy name {name!r}: use lower-case letters, digits and _ (a Python identifier)"
        )
    path = directory / f"{name}.py"
    test_path = directory / "tests" / f"test_{name}.py"
    for existing in (path, test_path):
        if existing.exists():
            raise ConfigError(f"{existing} already exists; pick another name or edit it")
    test_path.parent.mkdir(parents=True, exist_ok=True)
    cls = "".join(part.capitalize() for part in name.split("_"))
    title = name.replace("_", " ").capitalize()
    path.write_text(TEMPLATE.format(name=name, cls=cls, title=title))
    test_path.write_text(TEST_TEMPLATE.format(name=name, test_path=test_path))
    return path, test_path

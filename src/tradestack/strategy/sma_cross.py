"""Simple moving-average crossover: long when the fast average crosses above the slow one."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from tradestack.domain.enums import SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.strategy.base import Parameter, Strategy, StrategyContext

_NO_SIGNALS: tuple[Signal, ...] = ()


class SmaCross(Strategy):
    """BUY on a golden cross, SELL on a death cross, computed on closes in O(1) per bar."""

    name = "sma_cross"
    description = "Moving-average crossover of closing prices (fast over slow)."
    parameters = (
        Parameter("fast", int, 10, minimum=1, description="bars in the fast average"),
        Parameter("slow", int, 30, minimum=2, description="bars in the slow average"),
    )

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._fast = int(self.params["fast"])
        self._slow = int(self.params["slow"])
        self._window: deque[float] = deque(maxlen=self._slow)
        self._fast_sum = 0.0
        self._slow_sum = 0.0
        self._above: bool | None = None

    def validate(self) -> None:
        if int(self.params["fast"]) >= int(self.params["slow"]):
            raise ValueError(
                f"sma_cross needs fast < slow (got fast={self.params['fast']}, "
                f"slow={self.params['slow']})"
            )

    @property
    def warmup_bars(self) -> int:
        return self._slow

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        window = self._window
        close = bar.close
        if len(window) == self._slow:
            self._slow_sum -= window[0]
        if len(window) >= self._fast:
            self._fast_sum -= window[-self._fast]
        window.append(close)
        self._slow_sum += close
        self._fast_sum += close
        if len(window) < self._slow:
            return _NO_SIGNALS
        above = self._fast_sum * self._slow > self._slow_sum * self._fast
        previous, self._above = self._above, above
        if previous is None or previous == above:
            return _NO_SIGNALS
        side = SignalSide.BUY if above else SignalSide.SELL
        return (self.signal(bar, side, context),)

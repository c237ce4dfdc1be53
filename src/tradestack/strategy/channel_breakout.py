"""Channel breakout: long when the close breaks the highest high of the last ``entry`` bars."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from tradestack.domain.enums import SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.strategy.base import Parameter, Strategy, StrategyContext

_NONE: tuple[Signal, ...] = ()


class ChannelBreakout(Strategy):
    """BUY above the prior ``entry``-bar high; SELL below the prior ``exit``-bar low.

    The channels exclude the current bar, so a breakout is a close beyond what
    the market had shown before it.
    """

    name = "channel_breakout"
    description = "Buy breakouts above the recent high; exit below the recent low."
    parameters = (
        Parameter("entry", int, 20, minimum=2, description="bars in the entry (high) channel"),
        Parameter("exit", int, 10, minimum=2, description="bars in the exit (low) channel"),
    )

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._entry = int(self.params["entry"])
        self._exit = int(self.params["exit"])
        self._highs: deque[float] = deque(maxlen=self._entry)
        self._lows: deque[float] = deque(maxlen=self._exit)
        self._long = False

    @property
    def warmup_bars(self) -> int:
        return max(self._entry, self._exit)

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        ready = len(self._highs) == self._entry and len(self._lows) == self._exit
        signals = _NONE
        if ready:
            if not self._long and bar.close > max(self._highs):
                self._long = True
                signals = (self.signal(bar, SignalSide.BUY, context),)
            elif self._long and bar.close < min(self._lows):
                self._long = False
                signals = (self.signal(bar, SignalSide.SELL, context),)
        self._highs.append(bar.high)
        self._lows.append(bar.low)
        return signals

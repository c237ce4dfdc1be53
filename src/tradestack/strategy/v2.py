"""Interface version 2: history windows, declared indicators, timeframes and order intents.

A v2 strategy subclasses ``StrategyV2`` and implements ``next(data)``. The
class itself is the adapter the trader core expects (``name``,
``allow_short``, ``warmup_bars``, ``on_bar(bar, context)``): ``on_bar`` appends
the closed bar to the symbol's windows, updates the declared indicators, calls
``next`` and passes every signal through the ``size`` hook. Nothing about the
windows leaks to the trader; a restart re-warms them from stored bars
(``warmup_bars`` covers every window), which rebuilds them exactly.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

import msgspec
import numpy as np

from tradestack.domain.enums import OrderType, SignalSide, TimeInForce
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.domain.timeframes import Timeframe
from tradestack.strategy.base import Strategy, StrategyContext
from tradestack.strategy.feeds import SymbolFeed
from tradestack.strategy.history import BarWindow
from tradestack.strategy.indicators import Indicator

_NONE: tuple[Signal, ...] = ()


class BarData:
    """What ``next`` sees: the newest bar, its symbol's windows and indicators, the trader."""

    __slots__ = ("_feeds", "_strategy", "bar", "context", "feed")

    def __init__(
        self,
        strategy: StrategyV2,
        bar: Bar,
        feed: SymbolFeed,
        feeds: dict[str, SymbolFeed],
        context: StrategyContext,
    ) -> None:
        self._strategy = strategy
        self.bar = bar
        self.feed = feed
        self._feeds = feeds
        self.context = context

    @property
    def symbol(self) -> str:
        return self.bar.symbol

    def history(self, timeframe: str | None = None, symbol: str | None = None) -> BarWindow:
        """Return the window of ``symbol`` (default this bar's) at ``timeframe`` (default base)."""
        feed = self.feed if symbol is None else self._feeds.get(symbol)
        if feed is None:
            raise KeyError(f"no bars of {symbol} yet (seen: {', '.join(self._feeds)})")
        key = None if timeframe in (None, feed.base.label) else timeframe
        return feed.windows[key]

    @property
    def close(self) -> np.ndarray:
        return self.feed.windows[None].close

    def indicator(self, name: str, symbol: str | None = None) -> np.ndarray:
        """Return the rolling values of a declared indicator, oldest first, newest last."""
        feed = self.feed if symbol is None else self._feeds[symbol]
        return feed.indicator(name)

    def __getitem__(self, name: str) -> float:
        """``data["rsi"]``: the newest value of a declared indicator."""
        return float(self.feed.indicator(name)[-1])

    def completed(self, timeframe: str) -> bool:
        """Whether a ``timeframe`` bar closed with this base bar."""
        return timeframe in self.feed.completed

    @property
    def position(self) -> Decimal:
        return self.context.position_quantity(self.bar.symbol)

    def buy(self, **intent: Any) -> Signal:
        """A BUY signal at this bar; keywords are Signal's intent fields (order_type, ...)."""
        return self._signal(SignalSide.BUY, intent)

    def sell(self, **intent: Any) -> Signal:
        return self._signal(SignalSide.SELL, intent)

    def exit(self, **intent: Any) -> Signal:
        """Close what is held of this symbol."""
        return self._signal(SignalSide.CLOSE, intent)

    def target(
        self, *, quantity: float | None = None, percent: float | None = None, **intent: Any
    ) -> Signal:
        """Hold exactly ``quantity`` units, or ``percent`` of equity (signed), of this symbol."""
        if (quantity is None) == (percent is None):
            raise ValueError("target needs exactly one of quantity, percent")
        wanted = quantity if quantity is not None else percent
        side = SignalSide.SELL if wanted is not None and wanted < 0 else SignalSide.BUY
        return self._signal(
            side, {"target_quantity": quantity, "target_percent": percent, **intent}
        )

    def _signal(self, side: SignalSide, intent: dict[str, Any]) -> Signal:
        for key in ("order_type", "time_in_force"):
            if isinstance(intent.get(key), str):
                enum = OrderType if key == "order_type" else TimeInForce
                intent[key] = enum(intent[key].upper())
        bar = self.bar
        return Signal(
            symbol=bar.symbol,
            side=side,
            confidence=float(intent.pop("confidence", 1.0)),
            strategy=self._strategy.name,
            trader_id=self.context.trader_id,
            ts=bar.ts,
            price=bar.close,
            **intent,
        )


class StrategyV2(Strategy):
    """Subclass, declare ``name``, ``parameters``, ``window``, ``indicators()``; write ``next``.

    ``timeframe`` is the base timeframe the strategy expects (needed when it
    declares higher ``timeframes``, so the warm-up can cover them); bars of
    several symbols each get their own windows.
    """

    INTERFACE_VERSION: ClassVar[int] = 2
    window: ClassVar[int] = 300
    timeframe: ClassVar[str | None] = None
    timeframes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._declared: tuple[Indicator, ...] = tuple(self.indicators())
        self._feeds: dict[str, SymbolFeed] = {}
        if self.timeframes and self.timeframe is None:
            raise ValueError(f"strategy {self.name} declares timeframes but no base timeframe")
        if self.timeframe is not None:  # fail at creation, not on the first bar
            SymbolFeed(
                Timeframe.parse(self.timeframe), self.window, self.timeframes, self._declared
            )

    def indicators(self) -> Sequence[Indicator]:
        """Declare the indicators ``next`` reads; may use ``self.params``."""
        return ()

    @abstractmethod
    def next(self, data: BarData) -> Sequence[Signal] | Signal | None:
        """Decide on the newest closed bar: return signals (often none)."""

    def size(self, signal: Signal, data: BarData) -> Signal:
        """The sizing hook: return ``signal`` with a target or another intent (as is by default)."""
        return signal

    @property
    def warmup_bars(self) -> int:
        """Enough base bars to fill every window, higher timeframes included, plus one bucket."""
        if not self.timeframes or self.timeframe is None:
            return self.window
        base = Timeframe.parse(self.timeframe).seconds
        ratio = max(Timeframe.parse(label).seconds // base for label in self.timeframes)
        return (self.window + 1) * ratio

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        feed = self._feeds.get(bar.symbol)
        if feed is None:
            feed = self._feeds[bar.symbol] = SymbolFeed(
                Timeframe.parse(bar.timeframe), self.window, self.timeframes, self._declared
            )
        feed.add(bar)
        data = BarData(self, bar, feed, self._feeds, context)
        decided = self.next(data)
        if not decided:
            return _NONE
        if isinstance(decided, Signal):
            decided = (decided,)
        return tuple(self.size(signal, data) for signal in decided)

    @classmethod
    def schema(cls) -> dict[str, Any]:
        out = super().schema()
        out["window"] = cls.window
        out["timeframes"] = list(cls.timeframes)
        return out


def replace_intent(signal: Signal, **changes: Any) -> Signal:
    """Return ``signal`` with some intent fields changed (for ``size`` hooks)."""
    return msgspec.structs.replace(signal, **changes)

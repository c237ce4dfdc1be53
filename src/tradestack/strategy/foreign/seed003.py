"""Seed 003's strategy template (BOT Trading v2): ``analyze(market_data) -> list[dict]``.

The template's class takes a v2 config dict (``strategy_name``, ``pairs``,
``interval``, ``max_position_size``, ``stop_loss_pct``) and returns signal dicts
such as ``{"symbol": "BTC/USDT", "action": "BUY", "quantity": 0.01}``. The
adapter calls ``analyze`` once per closed bar with ``market_data``::

    {"symbol", "timeframe", "timestamp" (ISO 8601), "price" (the close),
     "bar": {"open", "high", "low", "close", "volume"},
     "history": {"open", "high", "low", "close", "volume", "timestamp"}  # numpy arrays
     "position": float}

and turns each dict into a Signal: ``action`` BUY / SELL / CLOSE (or
EXIT); ``quantity`` becomes a target of held +/- quantity; ``confidence``,
``stop_loss``, ``take_profit`` and a limit ``price`` pass through. An ``async
def analyze`` works as long as it awaits nothing that really waits (the
template's own example does not): it is driven to completion synchronously.
The template imports ``strategies.base.BaseStrategy``; a shim provides it.
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from types import ModuleType
from typing import Any, ClassVar

from tradestack.domain.enums import OrderType, SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.strategy.base import Parameter, Strategy, StrategyContext
from tradestack.strategy.history import BarWindow

log = logging.getLogger(__name__)
_ACTIONS = {
    "BUY": SignalSide.BUY,
    "LONG": SignalSide.BUY,
    "SELL": SignalSide.SELL,
    "SHORT": SignalSide.SELL,
    "CLOSE": SignalSide.CLOSE,
    "EXIT": SignalSide.CLOSE,
}


class BaseStrategy:
    """The seed's ``strategies.base.BaseStrategy``: nothing but a marker and a config."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.config: dict[str, Any] = {}


def install_shim() -> None:
    """Make ``from strategies.base import BaseStrategy`` work, unless a real one exists."""
    if "strategies.base" in sys.modules or "strategies" in sys.modules:
        return
    package = ModuleType("strategies")
    package.__path__ = []
    base = ModuleType("strategies.base")
    base.BaseStrategy = BaseStrategy  # type: ignore[attr-defined]
    package.base = base  # type: ignore[attr-defined]
    sys.modules["strategies"] = package
    sys.modules["strategies.base"] = base


def recognises(cls: type) -> bool:
    return callable(getattr(cls, "analyze", None)) and not issubclass(cls, Strategy)


def adapter_for(cls: type) -> type[Strategy]:
    name = getattr(cls, "name", None) or getattr(cls, "strategy_name", None) or _snake(cls)
    return type(
        f"Seed003{cls.__name__}",
        (Seed003Adapter,),
        {"name": str(name), "wrapped": cls, "description": (cls.__doc__ or "").strip()},
    )


class Seed003Adapter(Strategy):
    """Runs a seed 003 ``analyze`` class bar by bar on a rolling window."""

    INTERFACE_VERSION: ClassVar[int] = 2
    INTERFACE: ClassVar[str] = "seed003 v2 (analyze)"
    wrapped: ClassVar[type]
    window: ClassVar[int] = 300
    parameters = (
        Parameter("interval", str, "5m", description="the v2 config's interval"),
        Parameter("max_position_size", float, 1000.0, minimum=0, description="v2 risk param"),
        Parameter("stop_loss_pct", float, 0.02, minimum=0, description="v2 risk param"),
        Parameter("window", int, 300, minimum=1, description="bars of history in market_data"),
    )

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        config = {
            "strategy_name": self.name,
            "pairs": [],
            "interval": self.params["interval"],
            "max_position_size": self.params["max_position_size"],
            "stop_loss_pct": self.params["stop_loss_pct"],
        }
        accepts = len(inspect.signature(self.wrapped.__init__).parameters) > 1
        self.inner = self.wrapped(config) if accepts else self.wrapped()
        self._history = BarWindow(int(self.params["window"]))

    @property
    def warmup_bars(self) -> int:
        return int(self.params["window"])

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        self._history.append(bar)
        held = float(context.position_quantity(bar.symbol))
        result = _run(self.inner.analyze(self._market_data(bar, held)))
        return tuple(
            signal
            for item in result or ()
            if (signal := self._signal(item, bar, held, context)) is not None
        )

    def _market_data(self, bar: Bar, held: float) -> dict[str, Any]:
        window = self._history
        return {
            "symbol": bar.symbol,
            "timeframe": bar.timeframe,
            "timestamp": bar.ts.isoformat(),
            "price": bar.close,
            "bar": {
                "open": bar.open,
                "high": bar.high,
                "low": bar.low,
                "close": bar.close,
                "volume": bar.volume,
            },
            "history": {
                "open": window.open,
                "high": window.high,
                "low": window.low,
                "close": window.close,
                "volume": window.volume,
                "timestamp": window.epochs,
            },
            "position": held,
        }

    def _signal(self, item: Any, bar: Bar, held: float, context: StrategyContext) -> Signal | None:
        if not isinstance(item, dict):
            log.warning("strategy %s returned %r, not a dict; ignored", self.name, item)
            return None
        side = _ACTIONS.get(str(item.get("action", item.get("side", ""))).upper())
        if side is None:
            log.warning("strategy %s: unknown action in %r; ignored", self.name, item)
            return None
        quantity = item.get("quantity")
        target = None
        if quantity is not None and side is not SignalSide.CLOSE:
            target = held + float(quantity) * (1 if side is SignalSide.BUY else -1)
        limit = item.get("price")
        return Signal(
            symbol=str(item.get("symbol") or bar.symbol),
            side=side,
            confidence=float(item.get("confidence", 1.0)),
            strategy=self.name,
            trader_id=context.trader_id,
            ts=bar.ts if not isinstance(item.get("ts"), datetime) else item["ts"],
            price=bar.close,
            stop_loss=_float(item.get("stop_loss")),
            take_profit=_float(item.get("take_profit")),
            order_type=OrderType.LIMIT if limit is not None else None,
            limit_price=_float(limit),
            target_quantity=target,
        )


def _run(result: Any) -> Any:
    """Return ``result``, driving a coroutine that never truly waits to its end."""
    if not inspect.iscoroutine(result):
        return result
    try:
        result.send(None)
    except StopIteration as done:
        return done.value
    result.close()
    raise RuntimeError("analyze awaited real I/O; only compute-only async analyze is supported")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _snake(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

"""freqtrade IStrategy (interface 3) files, run unchanged through the optional extra.

``pip install 'tradestack[freqtrade]'`` brings freqtrade itself; the strategy
class is instantiated with a minimal backtest config and driven through
freqtrade's own ``advise_indicators`` / ``advise_entry`` / ``advise_exit``, so
its indicators, ``@informative``-free code and signal columns behave as in
freqtrade. The adapter is a ``VectorStrategy``: the vectorised engine calls it
once on the whole series, a paper trader on the rolling window ending at each
bar (``startup_candle_count`` sizes the window and the warm-up).

Mapped: ``enter_long`` / ``exit_long`` (and the short columns when
``can_short``), where an entry and an exit on one candle cancel out as in
freqtrade; ``timeframe``; ``startup_candle_count``. A ``stoploss`` tighter
than -100% and a ``minimal_roi`` entry at minute 0 become the stop-loss and
take-profit of a bracket in bar-by-bar runs (event engine, paper).
Not mapped: time-decaying ROI steps, trailing stops, custom_stoploss /
custom_exit / confirm_trade_* callbacks, position adjustment, ``self.dp``
(the DataProvider: no informative pairs), leverage, and partial exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pandas as pd

from tradestack.domain.signals import Signal
from tradestack.strategy.base import Strategy
from tradestack.strategy.v2 import BarData
from tradestack.strategy.vector import CLOSE, VectorStrategy, frame_of, signal_codes

_COLUMNS = ("enter_long", "exit_long", "enter_short", "exit_short")


def recognises(cls: type) -> bool:
    return any(base.__name__ == "IStrategy" for base in getattr(cls, "__mro__", ())[1:])


def available() -> bool:
    try:
        import freqtrade.strategy  # noqa: F401
    except ImportError:
        return False
    return True


def adapter_for(cls: type) -> type[Strategy]:
    if not available():
        raise ValueError(
            "freqtrade strategies need the freqtrade extra: pip install 'tradestack[freqtrade]'"
        )
    version = int(getattr(cls, "INTERFACE_VERSION", 3))
    if version != 3:
        raise ValueError(f"freqtrade INTERFACE_VERSION {version}: only interface 3 runs here")
    startup = int(getattr(cls, "startup_candle_count", 0) or 0)
    return type(
        f"Freqtrade{cls.__name__}",
        (FreqtradeAdapter,),
        {
            "name": cls.__name__,
            "wrapped": cls,
            "timeframe": str(getattr(cls, "timeframe", "5m")),
            "window": max(startup * 2, startup + 50, 100),
            "startup": startup,
            "allow_short": bool(getattr(cls, "can_short", False)),
            "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        },
    )


def backtest_config(timeframe: str, **extra: Any) -> dict[str, Any]:
    """The minimal freqtrade config a strategy class needs to be instantiated for a backtest."""
    from freqtrade.enums import CandleType, RunMode, TradingMode

    return {
        "runmode": RunMode.BACKTEST,
        "timeframe": timeframe,
        "candle_type_def": CandleType.SPOT,
        "trading_mode": TradingMode.SPOT,
        "stake_currency": "USDT",
        "dry_run": True,
        "exchange": {"name": "binance", "pair_whitelist": []},
        **extra,
    }


class FreqtradeAdapter(VectorStrategy):
    """Runs one freqtrade IStrategy class; see the module docstring for what maps."""

    INTERFACE: ClassVar[str] = "freqtrade IStrategy v3"
    INTERFACE_VERSION: ClassVar[int] = 3
    wrapped: ClassVar[type]
    startup: ClassVar[int]

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.inner = self.wrapped(backtest_config(self.timeframe or "5m"))
        stoploss = float(getattr(self.inner, "stoploss", -1.0) or -1.0)
        roi = getattr(self.inner, "minimal_roi", {}) or {}
        self._stoploss = stoploss if stoploss > -1.0 else None
        first = roi.get("0", roi.get(0))
        self._take_profit = float(first) if first is not None and float(first) < 10 else None

    @property
    def warmup_bars(self) -> int:
        return self.startup

    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        data = frame.reset_index(names="date")
        metadata = {"pair": getattr(self, "_pair", "BTC/USDT")}
        data = self.inner.advise_indicators(data, metadata)
        data = self.inner.advise_entry(data, metadata)
        data = self.inner.advise_exit(data, metadata)
        out = pd.DataFrame(index=frame.index)
        flags = {
            name: (data[name].to_numpy() == 1) if name in data.columns else False
            for name in _COLUMNS
        }
        out["enter_long"] = flags["enter_long"] & ~flags["exit_long"]
        out["exit_long"] = flags["exit_long"] & ~flags["enter_long"]
        if self.allow_short:
            out["enter_short"] = flags["enter_short"] & ~flags["exit_short"]
            out["exit_short"] = flags["exit_short"] & ~flags["enter_short"]
        return out

    def next(self, data: BarData) -> Sequence[Signal] | None:
        self._pair = data.symbol
        code = int(signal_codes(self.populate(frame_of(data.history())))[-1])
        if code == 0:
            return None
        if code == CLOSE:
            return (data.exit(),) if data.position != 0 else None
        close = data.bar.close
        sign = 1 if code > 0 else -1
        bracket: dict[str, float] = {}
        if self._stoploss is not None:
            bracket["stop_loss"] = close * (1 + sign * self._stoploss)
        if self._take_profit is not None:
            bracket["take_profit"] = close * (1 + sign * self._take_profit)
        return (data.buy(**bracket) if code > 0 else data.sell(**bracket),)

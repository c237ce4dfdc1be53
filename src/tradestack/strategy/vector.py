"""The vectorised form: ``populate(frame)`` returns entry/exit (or target) columns.

One function serves both engines. The vectorised backtest engine calls
``populate`` once on the whole series (fast, for sweeps); a paper or live
trader, and the event-driven backtest, call it on every bar on the rolling
window ending at that bar and act on its last row. Both read the columns
through the same ``signal_codes``, so ``tradestack backtest compare`` shows the
two give the same trades whenever ``populate`` is causal and its indicators
have a memory shorter than the window (SMA, rolling max/min, RSI or EMA after
``window`` bars agree to (1 - alpha) ** window). ``strategy check`` proves the
causal part: it catches a ``populate`` that looks at a future row.

Columns: ``enter_long``, ``exit_long``, ``enter_short``, ``exit_short``
(booleans; exits close whatever is held; an entry and an exit on one row
cancel out), or ``target`` (-1 short, 0 flat, 1 long: a signal whenever it
changes).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tradestack.domain.signals import Signal
from tradestack.strategy.history import FIELDS, BarWindow
from tradestack.strategy.v2 import BarData, StrategyV2

BUY, SELL, CLOSE = 1, -1, 2
_CODES = {BUY: "buy", SELL: "sell", CLOSE: "exit"}


def frame_of(window: BarWindow | Any, epochs: np.ndarray | None = None) -> pd.DataFrame:
    """An OHLCV frame indexed by UTC open time, from a window or a BarSeries."""
    if isinstance(window, BarWindow):
        columns = {name: window.field(name) for name in FIELDS}
        index = pd.to_datetime(window.epochs, unit="s", utc=True)
    else:  # a backtest BarSeries
        columns = {name: getattr(window, name) for name in FIELDS}
        index = pd.DatetimeIndex(pd.to_datetime(window.ts, utc=True))
    return pd.DataFrame(columns, index=index, copy=True)


def signal_codes(frame: pd.DataFrame) -> np.ndarray:
    """Per row: +1 BUY, -1 SELL, 2 CLOSE, 0 nothing (the vectorised engine's codes)."""
    n = len(frame)
    if "target" in frame.columns:
        target = frame["target"].to_numpy(dtype=float)
        target = np.where(np.isnan(target), 0.0, np.sign(target))
        previous = np.r_[0.0, target[:-1]]
        changed = target != previous
        out = np.where(target > 0, BUY, np.where(target < 0, SELL, CLOSE))
        return np.where(changed, out, 0).astype(np.int8)

    def column(name: str) -> np.ndarray:
        if name not in frame.columns:
            return np.zeros(n, dtype=bool)
        return frame[name].fillna(False).to_numpy(dtype=bool)

    enter_long, enter_short = column("enter_long"), column("enter_short")
    exits = column("exit_long") | column("exit_short")
    out = np.zeros(n, dtype=np.int8)
    out[exits] = CLOSE
    out[enter_short & ~exits] = SELL
    out[enter_long & ~exits & ~enter_short] = BUY
    return out


class VectorStrategy(StrategyV2):
    """Subclass, declare ``name``, ``parameters`` and ``window``; write ``populate``."""

    INTERFACE: ClassVar[str] = "tradestack v2 (vectorised)"

    @abstractmethod
    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add entry/exit (or target) columns to ``frame`` (OHLCV by time) and return it."""

    def vector_signals(self, series: Any) -> np.ndarray:
        """Signal codes for every bar of a backtest series, from one ``populate`` call."""
        result = self.populate(frame_of(series))
        if len(result) != len(series):
            raise ValueError(
                f"populate of {self.name} returned {len(result)} rows, not {len(series)}"
            )
        return signal_codes(result)

    def next(self, data: BarData) -> Sequence[Signal] | None:
        code = int(signal_codes(self.populate(frame_of(data.history())))[-1])
        if code == 0:
            return None
        return (getattr(data, _CODES[code])(),)

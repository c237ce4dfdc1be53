"""Round-trip trades of a backtest as columns, for metrics over thousands of trades.

The splitting rules live in ``portfolio.trades`` (shared with live analytics);
the event-driven engine feeds its fills to ``TradeBook`` and the vectorised
engine builds the same ``Trade`` records from arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradestack.portfolio.trades import Trade, TradeBook

__all__ = ["Trade", "TradeArrays", "TradeBook"]


@dataclass(frozen=True, slots=True)
class TradeArrays:
    """The same trades as columns, for metrics over thousands of trades."""

    direction: np.ndarray
    entry_index: np.ndarray
    exit_index: np.ndarray
    entry_price: np.ndarray
    exit_price: np.ndarray
    size: np.ndarray
    fees: np.ndarray
    pnl: np.ndarray

    def __len__(self) -> int:
        return len(self.pnl)

    @property
    def return_pct(self) -> np.ndarray:
        notional = self.entry_price * self.size
        return np.divide(self.pnl, notional, out=np.zeros_like(self.pnl), where=notional != 0) * 100

    @classmethod
    def from_trades(cls, trades: list[Trade]) -> TradeArrays:
        def column(name: str, dtype: type) -> np.ndarray:
            return np.array([float(getattr(t, name)) for t in trades], dtype=dtype)

        return cls(
            direction=np.array([t.direction for t in trades], dtype=np.int8),
            entry_index=np.array([t.entry_index for t in trades], dtype=np.int64),
            exit_index=np.array([t.exit_index for t in trades], dtype=np.int64),
            entry_price=column("entry_price", np.float64),
            exit_price=column("exit_price", np.float64),
            size=column("size", np.float64),
            fees=column("fees", np.float64),
            pnl=column("pnl", np.float64),
        )

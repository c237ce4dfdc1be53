"""Round-trip trades: built from fills (event-driven engine) or arrays (vectorised engine).

A trade opens when a position leaves flat and closes when (part of) it is
bought or sold back; a fill that flips the position closes one trade and
opens the next, its fee split between them by quantity. ``pnl`` is net of the
entry and exit fees, like the equity it explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from tradestack.domain.enums import OrderSide
from tradestack.domain.orders import Fill

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Trade:
    """One closed round trip; ``direction`` is +1 for long, -1 for short."""

    direction: int
    entry_index: int
    exit_index: int
    entry_time: datetime
    exit_time: datetime
    entry_price: Decimal
    exit_price: Decimal
    size: Decimal
    fees: Decimal
    pnl: Decimal

    @property
    def side(self) -> str:
        return "long" if self.direction > 0 else "short"

    @property
    def return_pct(self) -> float:
        """Net PnL as a percentage of the entry notional."""
        return float(self.pnl / (self.entry_price * self.size) * 100)


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


@dataclass(slots=True)
class _OpenTrade:
    direction: int
    entry_index: int
    entry_time: datetime
    entry_price: Decimal
    size: Decimal
    fees: Decimal


class TradeBook:
    """Turns the fills of one symbol, in order, into closed ``Trade`` records."""

    def __init__(self) -> None:
        self.trades: list[Trade] = []
        self._open: _OpenTrade | None = None

    def add(self, fill: Fill, index: int) -> None:
        """Account for ``fill``, executed at bar ``index``."""
        direction = 1 if fill.side is OrderSide.BUY else -1
        quantity, fee = fill.quantity, fill.fee
        current = self._open
        if current is not None and current.direction != direction:
            closed = min(quantity, current.size)
            exit_fee = fee * closed / quantity
            self._close(current, closed, fill, index, exit_fee)
            quantity -= closed
            fee -= exit_fee
            current = self._open
        if quantity <= 0:
            return
        if current is None:
            self._open = _OpenTrade(direction, index, fill.ts, fill.price, quantity, fee)
            return
        total = current.size + quantity
        current.entry_price = (current.entry_price * current.size + fill.price * quantity) / total
        current.size = total
        current.fees += fee

    def _close(
        self, current: _OpenTrade, closed: Decimal, fill: Fill, index: int, exit_fee: Decimal
    ) -> None:
        entry_fee = current.fees if closed == current.size else current.fees * closed / current.size
        gross = (fill.price - current.entry_price) * closed * current.direction
        self.trades.append(
            Trade(
                direction=current.direction,
                entry_index=current.entry_index,
                exit_index=index,
                entry_time=current.entry_time,
                exit_time=fill.ts,
                entry_price=current.entry_price,
                exit_price=fill.price,
                size=closed,
                fees=entry_fee + exit_fee,
                pnl=gross - entry_fee - exit_fee,
            )
        )
        current.size -= closed
        current.fees -= entry_fee
        if current.size == 0:
            self._open = None

    @property
    def is_open(self) -> bool:
        return self._open is not None

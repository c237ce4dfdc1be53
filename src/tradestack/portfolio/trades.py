"""Round-trip trades from fills: the one set of splitting rules for backtests and live analytics.

A trade opens when a position leaves flat and closes when (part of) it is
bought or sold back: every reducing fill closes a trade of its own, a fill
that flips the position closes one trade and opens the next, its fee split
between them by quantity. ``pnl`` is net of the entry and exit fees, like the
equity it explains; ``gross_pnl`` is beside it. Books are kept per trader,
symbol and position side (hedge mode keeps a long and a short apart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Fill, Order

ZERO = Decimal(0)
SIGNAL = "signal"
"""The exit reason of a trade closed by an ordinary strategy order."""


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
    """Net of entry and exit fees."""
    symbol: str = ""
    trader_id: str = ""
    exit_reason: str = SIGNAL

    @property
    def side(self) -> str:
        return "long" if self.direction > 0 else "short"

    @property
    def quantity(self) -> Decimal:
        return self.size

    @property
    def closed_at(self) -> datetime:
        return self.exit_time

    @property
    def gross_pnl(self) -> Decimal:
        """PnL before fees."""
        return self.pnl + self.fees

    @property
    def duration(self) -> timedelta:
        return self.exit_time - self.entry_time

    @property
    def return_pct(self) -> float:
        """Net PnL as a percentage of the entry notional."""
        notional = self.entry_price * self.size
        return float(self.pnl / notional * 100) if notional else 0.0


@dataclass(slots=True)
class _OpenTrade:
    direction: int
    entry_index: int
    entry_time: datetime
    entry_price: Decimal
    size: Decimal
    fees: Decimal


class TradeBook:
    """Turns the fills of one symbol (and position side), in order, into closed ``Trade``s."""

    def __init__(self, symbol: str = "", trader_id: str = "") -> None:
        self.symbol = symbol
        self.trader_id = trader_id
        self.trades: list[Trade] = []
        self._open: _OpenTrade | None = None

    def add(self, fill: Fill, index: int = 0, exit_reason: str = SIGNAL) -> None:
        """Account for ``fill``, executed at bar ``index``; a close gets ``exit_reason``."""
        direction = 1 if fill.side is OrderSide.BUY else -1
        quantity, fee = fill.quantity, fill.fee
        current = self._open
        if current is not None and current.direction != direction:
            closed = min(quantity, current.size)
            exit_fee = fee * closed / quantity
            self._close(current, closed, fill, index, exit_fee, exit_reason)
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
        self,
        current: _OpenTrade,
        closed: Decimal,
        fill: Fill,
        index: int,
        exit_fee: Decimal,
        exit_reason: str,
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
                symbol=self.symbol or fill.symbol,
                trader_id=self.trader_id or fill.trader_id,
                exit_reason=exit_reason,
            )
        )
        current.size -= closed
        current.fees -= entry_fee
        if current.size == 0:
            self._open = None

    @property
    def is_open(self) -> bool:
        return self._open is not None


@dataclass(slots=True)
class TradeHistory:
    """Closed trades of many books, the intervals spent in the market and the fees paid."""

    trades: list[Trade] = field(default_factory=list)
    in_market: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    fees_paid: Decimal = ZERO


def exit_reason(order: Order | None) -> str:
    """Why an order closed a trade: its recorded reason, its bracket role, or a signal."""
    if order is None:
        return SIGNAL
    if order.reason in ("force_exit", "backtest ended", "emergency stop"):
        return order.reason.replace(" ", "_")
    if order.type in (OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP):
        return "stop_loss"
    if order.parent_order_id is not None:
        return "take_profit"
    return SIGNAL


def replay(fills: Iterable[Fill], reason: Callable[[Fill], str] | None = None) -> TradeHistory:
    """Rebuild closed trades and in-market intervals from fills in time order (any traders)."""
    books: dict[tuple[str, str, str], TradeBook] = {}
    history = TradeHistory()
    opened_at: datetime | None = None
    for fill in fills:
        key = (fill.trader_id, fill.symbol, fill.position_side.value)
        book = books.get(key)
        if book is None:
            book = books[key] = TradeBook(fill.symbol, fill.trader_id)
        book.add(fill, exit_reason=reason(fill) if reason is not None else SIGNAL)
        history.fees_paid += fill.fee
        in_market = any(b.is_open for b in books.values())
        if in_market and opened_at is None:
            opened_at = fill.ts
        elif not in_market and opened_at is not None:
            history.in_market.append((opened_at, fill.ts))
            opened_at = None
    if opened_at is not None:
        history.in_market.append((opened_at, None))
    history.trades = sorted(
        (t for b in books.values() for t in b.trades), key=lambda t: (t.exit_time, t.symbol)
    )
    return history


def closed_trades(fills: Sequence[Fill], orders: dict[str, Order]) -> list[Trade]:
    """The closed trades of ``fills``, each exit reason read from the order that closed it."""
    return replay(fills, lambda f: exit_reason(orders.get(f.client_order_id))).trades

"""The portfolio of one trader: a cash balance in the quote asset and one position per symbol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from tradestack.domain.enums import OrderSide, PositionSide
from tradestack.domain.orders import Fill
from tradestack.domain.positions import Position

ZERO = Decimal(0)


class Portfolio:
    """Applies fills and marks to market; every amount is Decimal so sums are exact.

    Cash moves by the full notional of each fill (a short sale adds cash, a
    buy-back removes it), so ``equity = cash + sum(quantity * last_price)``
    holds for longs and shorts alike.

    Marks are lazy: ``mark_close`` only remembers a bar's float close, and it
    becomes the positions' Decimal ``last_price`` when anything reads them
    (``positions``, ``equity``, a fill), so a bar nobody looks at costs no
    Decimal work. Only the newest mark per symbol matters, so the result is
    the same as marking every bar.
    """

    def __init__(self, trader_id: str, *, cash: Decimal, quote_asset: str = "USDT") -> None:
        self.trader_id = trader_id
        self.quote_asset = quote_asset
        self.cash = cash
        self._positions: dict[tuple[str, PositionSide], Position] = {}
        self._pending: dict[str, tuple[float, datetime | None, Callable[[float], Decimal]]] = {}
        self._hedged = False
        self.holds_any = False
        """Whether any position exists (flat ones included); read without settling marks."""

    @property
    def positions(self) -> dict[tuple[str, PositionSide], Position]:
        if self._pending:
            self.flush_marks()
        return self._positions

    def position(self, symbol: str, side: PositionSide = PositionSide.BOTH) -> Position:
        existing = self.positions.get((symbol, side))
        if existing is None:
            existing = Position(trader_id=self.trader_id, symbol=symbol, position_side=side)
            self._positions[(symbol, side)] = existing
            self.holds_any = True
            self._hedged = self._hedged or side is not PositionSide.BOTH
        return existing

    def adopt(self, position: Position) -> None:
        """Take a position loaded from storage (after a restart)."""
        self.positions[(position.symbol, position.position_side)] = position
        self.holds_any = True
        self._hedged = self._hedged or position.position_side is not PositionSide.BOTH

    def quantity(self, symbol: str, side: PositionSide | None = None) -> Decimal:
        """Return the signed quantity of one side, or the net of all sides when ``side`` is None."""
        if side is not None:
            existing = self._positions.get((symbol, side))
            return existing.quantity if existing is not None else ZERO
        if not self._hedged:  # one net position: a single lookup
            one = self._positions.get((symbol, PositionSide.BOTH))
            return one.quantity if one is not None else ZERO
        return sum((p.quantity for (s, _side), p in self._positions.items() if s == symbol), ZERO)

    def gross_exposure(self) -> Decimal:
        """Sum of absolute market values: what margin is held against."""
        total = ZERO
        for p in self.positions.values():
            price = p.last_price
            total += abs((p.average_price if price is None else price) * p.quantity)
        return total

    def apply_fill(self, fill: Fill) -> Position:
        """Update cash and the position for one fill, realizing PnL on any reduced part."""
        position = self.position(fill.symbol, fill.position_side)
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        held = position.quantity
        if held == 0 or (held > 0) == (signed > 0):
            total = abs(held) + fill.quantity
            position.average_price = (
                abs(held) * position.average_price + fill.quantity * fill.price
            ) / total
        else:
            closed = min(abs(signed), abs(held))
            direction = 1 if held > 0 else -1
            position.realized_pnl += closed * (fill.price - position.average_price) * direction
            remainder = held + signed
            if remainder == 0:
                position.average_price = ZERO
            elif (remainder > 0) != (held > 0):
                position.average_price = fill.price
        position.quantity = held + signed
        position.fees_paid += fill.fee
        position.last_price = fill.price
        position.updated_at = fill.ts
        self.cash -= signed * fill.price + fill.fee
        return position

    def mark_close(
        self,
        symbol: str,
        close: float,
        ts: datetime | None,
        price: Callable[[float], Decimal],
    ) -> None:
        """Mark ``symbol`` at a bar's float ``close`` when next read (``price`` converts it)."""
        self._pending[symbol] = (close, ts, price)

    def flush_marks(self) -> None:
        """Apply the pending marks now."""
        pending, self._pending = self._pending, {}
        for symbol, (close, ts, price) in pending.items():
            self._mark(symbol, price(close), ts)

    def mark(self, symbol: str, price: Decimal, ts: datetime | None = None) -> None:
        self._pending.pop(symbol, None)
        if self._pending:
            self.flush_marks()
        self._mark(symbol, price, ts)

    def _mark(self, symbol: str, price: Decimal, ts: datetime | None) -> None:
        for (held_symbol, _side), existing in self._positions.items():
            if held_symbol == symbol:
                existing.last_price = price
                if ts is not None and existing.quantity != 0:
                    existing.updated_at = ts

    @property
    def equity(self) -> Decimal:
        total = self.cash
        for p in self.positions.values():  # Position.market_value, inlined: read every bar
            price = p.last_price
            total += (p.average_price if price is None else price) * p.quantity
        return total

    @property
    def realized_pnl(self) -> Decimal:
        return sum((p.realized_pnl for p in self.positions.values()), ZERO)

    @property
    def unrealized_pnl(self) -> Decimal:
        return sum((p.unrealized_pnl for p in self.positions.values()), ZERO)

    @property
    def fees_paid(self) -> Decimal:
        return sum((p.fees_paid for p in self.positions.values()), ZERO)

    @property
    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.quantity != 0]

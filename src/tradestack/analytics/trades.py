"""Closed trades and time in market, replayed from fills through the portfolio's own rules.

Each fill that reduces a position closes a trade (a partial close is a trade
of its own); its PnL is the gross PnL the portfolio realizes on it, less its
fee and the entry fees of the quantity it closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from tradestack.domain.enums import PositionSide
from tradestack.domain.orders import Fill
from tradestack.portfolio.ledger import ZERO, Portfolio


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    symbol: str
    quantity: Decimal
    entry_price: Decimal
    exit_price: Decimal
    gross_pnl: Decimal
    fees: Decimal
    closed_at: datetime

    @property
    def pnl(self) -> Decimal:
        return self.gross_pnl - self.fees


@dataclass(slots=True)
class TradeHistory:
    trades: list[ClosedTrade] = field(default_factory=list)
    in_market: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    fees_paid: Decimal = ZERO


def replay(fills: Sequence[Fill]) -> TradeHistory:
    """Rebuild closed trades and in-market intervals from fills in time order."""
    portfolio = Portfolio("replay", cash=ZERO)
    entry_fee_per_unit: dict[tuple[str, PositionSide], Decimal] = {}
    history = TradeHistory()
    opened_at: datetime | None = None
    for fill in fills:
        key = (fill.symbol, fill.position_side)
        position = portfolio.position(*key)
        held, entry, realized = position.quantity, position.average_price, position.realized_pnl
        portfolio.apply_fill(fill)
        history.fees_paid += fill.fee
        reducing = held != 0 and (held > 0) != (fill.side.sign > 0)
        if reducing:
            closed = min(fill.quantity, abs(held))
            share = closed / fill.quantity
            history.trades.append(
                ClosedTrade(
                    symbol=fill.symbol,
                    quantity=closed,
                    entry_price=entry,
                    exit_price=fill.price,
                    gross_pnl=position.realized_pnl - realized,
                    fees=fill.fee * share + entry_fee_per_unit.get(key, ZERO) * closed,
                    closed_at=fill.ts,
                )
            )
            if position.quantity != 0 and (position.quantity > 0) != (held > 0):
                flipped = abs(position.quantity)
                entry_fee_per_unit[key] = fill.fee * (1 - share) / flipped
        else:
            before = entry_fee_per_unit.get(key, ZERO) * abs(held)
            entry_fee_per_unit[key] = (before + fill.fee) / abs(position.quantity)
        in_market = bool(portfolio.open_positions)
        if in_market and opened_at is None:
            opened_at = fill.ts
        elif not in_market and opened_at is not None:
            history.in_market.append((opened_at, fill.ts))
            opened_at = None
    if opened_at is not None:
        history.in_market.append((opened_at, None))
    return history

"""A position in one symbol held by one trader, with its realized PnL and fees."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from tradestack.domain.enums import PositionSide


class Position(msgspec.Struct, kw_only=True):
    """Signed quantity (negative when short) at an average entry price.

    ``realized_pnl`` is gross of fees; ``fees_paid`` is kept apart so both can be
    reported, and net PnL is their difference.
    """

    trader_id: str
    symbol: str
    position_side: PositionSide = PositionSide.BOTH
    quantity: Decimal = Decimal(0)
    average_price: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    fees_paid: Decimal = Decimal(0)
    last_price: Decimal | None = None
    updated_at: datetime | None = None

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0

    @property
    def unrealized_pnl(self) -> Decimal:
        if self.last_price is None or self.quantity == 0:
            return Decimal(0)
        return (self.last_price - self.average_price) * self.quantity

    @property
    def market_value(self) -> Decimal:
        price = self.last_price if self.last_price is not None else self.average_price
        return price * self.quantity

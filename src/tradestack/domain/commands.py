"""Commands from outside a trader (the API, the CLI): imperative, frozen, checked on arrival."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from tradestack.domain.enums import OrderSide, OrderType, PositionSide, TimeInForce


class SubmitOrder(msgspec.Struct, frozen=True, kw_only=True):
    """Place one order for ``trader_id``; it passes the trader's risk check like any other."""

    trader_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    type: OrderType = OrderType.MARKET
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_amount: Decimal | None = None
    trailing_percent: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    post_only: bool = False
    position_side: PositionSide = PositionSide.BOTH

    def problem(self) -> str | None:
        """Return what is missing or contradictory for this order type, or None."""
        if self.quantity <= 0:
            return "quantity must be positive"
        needs_price = self.type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_stop = self.type in (OrderType.STOP, OrderType.STOP_LIMIT)
        if needs_price and self.price is None:
            return f"price is required for {self.type.value} orders"
        if needs_stop and self.stop_price is None:
            return f"stop_price is required for {self.type.value} orders"
        if self.type is OrderType.TRAILING_STOP and (
            (self.trailing_amount is None) == (self.trailing_percent is None)
        ):
            return "a TRAILING_STOP order needs exactly one of trailing_amount, trailing_percent"
        if self.post_only and self.type is not OrderType.LIMIT:
            return "post_only applies to LIMIT orders only"
        return None

"""Orders and fills. An order is an entity whose status moves through a state machine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce


class Order(msgspec.Struct, kw_only=True):
    """One order of one trader. ``client_order_id`` is made once and reused on every retry."""

    client_order_id: str
    trader_id: str
    symbol: str
    side: OrderSide
    type: OrderType
    quantity: Decimal
    price: Decimal | None = None
    """Limit price of LIMIT and STOP_LIMIT orders."""
    stop_price: Decimal | None = None
    """Trigger price of STOP and STOP_LIMIT orders (and the current stop of a trailing stop)."""
    trailing_amount: Decimal | None = None
    trailing_percent: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    post_only: bool = False
    position_side: PositionSide = PositionSide.BOTH
    parent_order_id: str | None = None
    """Set on the take-profit and stop-loss legs of a bracket: they wait for this entry."""
    oco_group: str | None = None
    """Orders sharing a group cancel each other when one fills (one-cancels-other)."""
    status: OrderStatus = OrderStatus.NEW
    filled_quantity: Decimal = Decimal(0)
    average_fill_price: Decimal | None = None
    venue_order_id: str | None = None
    reason: str | None = None
    trace_id: str | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity


class Fill(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One execution against an order; ``trade_id`` is unique per venue."""

    trade_id: str
    client_order_id: str
    trader_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts: datetime
    liquidity: str = "taker"
    position_side: PositionSide = PositionSide.BOTH

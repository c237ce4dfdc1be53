"""The order manager: creates orders once, moves them through the state machine, records changes.

It does no I/O itself: each change is appended to ``changes`` so the caller can
persist and publish them together with the fills and positions they belong to.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from decimal import Decimal

import msgspec

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce
from tradestack.domain.orders import Fill, Order
from tradestack.execution.state_machine import TRANSITIONS, check_transition


class OrderChange(msgspec.Struct, frozen=True, gc=False):
    """One transition; ``status`` is the order's status right after it (the order may move on)."""

    order: Order
    previous: OrderStatus | None
    status: OrderStatus
    reason: str | None


_SESSION = uuid.uuid4().hex[:12]
_sequence = itertools.count(1)


def new_client_order_id(trader_id: str) -> str:
    """Make the id an order keeps for life, reused on every retry so a venue sees it once.

    A random per-process prefix plus a counter: unique across restarts and
    processes without paying for a UUID per order on the hot path.
    """
    return f"{trader_id[:24]}-{_SESSION}{next(_sequence):x}"


class OrderManager:
    def __init__(self, trader_id: str) -> None:
        self.trader_id = trader_id
        self.orders: dict[str, Order] = {}
        self.changes: list[OrderChange] = []

    def create(
        self,
        *,
        symbol: str,
        side: OrderSide,
        quantity: Decimal,
        ts: datetime,
        order_type: OrderType = OrderType.MARKET,
        price: Decimal | None = None,
        stop_price: Decimal | None = None,
        trailing_amount: Decimal | None = None,
        trailing_percent: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
        reduce_only: bool = False,
        post_only: bool = False,
        position_side: PositionSide = PositionSide.BOTH,
        parent_order_id: str | None = None,
        oco_group: str | None = None,
        trace_id: str | None = None,
    ) -> Order:
        if quantity <= 0:
            raise ValueError(f"order quantity must be positive, got {quantity}")
        order = Order(
            stop_price=stop_price,
            trailing_amount=trailing_amount,
            trailing_percent=trailing_percent,
            reduce_only=reduce_only,
            post_only=post_only,
            position_side=position_side,
            parent_order_id=parent_order_id,
            oco_group=oco_group,
            client_order_id=new_client_order_id(self.trader_id),
            trader_id=self.trader_id,
            symbol=symbol,
            side=side,
            type=order_type,
            quantity=quantity,
            price=price,
            time_in_force=time_in_force,
            trace_id=trace_id,
            created_at=ts,
            updated_at=ts,
        )
        self.orders[order.client_order_id] = order
        self.changes.append(OrderChange(order, None, order.status, None))
        return order

    def adopt(self, order: Order) -> None:
        """Track an order loaded from storage (after a restart) without recording a change."""
        self.orders[order.client_order_id] = order

    def transition(
        self, order: Order, status: OrderStatus, ts: datetime, reason: str | None = None
    ) -> None:
        """Move ``order`` to ``status``; raise InvalidOrderTransitionError if not allowed."""
        previous = order.status
        if status not in TRANSITIONS[previous]:
            check_transition(previous, status)  # raises with the message
        order.status = status
        order.updated_at = ts
        if reason is not None:
            order.reason = reason
        self.changes.append(OrderChange(order, previous, status, reason))
        if not status.is_open:
            self.orders.pop(order.client_order_id, None)

    def apply_fill(self, fill: Fill) -> Order:
        """Add a fill to its order, updating the average price and the status."""
        order = self.orders[fill.client_order_id]
        filled_before = order.filled_quantity
        filled = filled_before + fill.quantity
        previous_notional = (order.average_fill_price or Decimal(0)) * filled_before
        order.average_fill_price = (previous_notional + fill.price * fill.quantity) / filled
        order.filled_quantity = filled
        status = OrderStatus.FILLED if filled >= order.quantity else OrderStatus.PARTIALLY_FILLED
        self.transition(order, status, fill.ts)
        return order

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return [o for o in self.orders.values() if symbol is None or o.symbol == symbol]

    def drain_changes(self) -> list[OrderChange]:
        changes, self.changes = self.changes, []
        return changes

"""Bracket legs: the take-profit and stop-loss orders a signal attaches to its entry."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.orders import Order
from tradestack.domain.signals import Signal
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.venues.port import Venue


def attach_bracket(
    orders: OrderManager,
    venue: Venue,
    to_price: Callable[[float], Decimal],
    entry: Order,
    signal: Signal,
) -> None:
    """Add legs that wait for ``entry`` and cancel each other (one OCO group per entry)."""
    exit_side = OrderSide.SELL if entry.side is OrderSide.BUY else OrderSide.BUY
    legs = []
    if signal.take_profit is not None:
        legs.append((OrderType.LIMIT, {"price": to_price(signal.take_profit)}))
    if signal.stop_loss is not None:
        legs.append((OrderType.STOP, {"stop_price": to_price(signal.stop_loss)}))
    for order_type, prices in legs:
        leg = orders.create(
            symbol=entry.symbol,
            side=exit_side,
            quantity=entry.quantity,
            ts=signal.ts,
            order_type=order_type,
            reduce_only=True,
            parent_order_id=entry.client_order_id,
            oco_group=entry.client_order_id,
            trace_id=entry.trace_id,
            **prices,
        )
        result = venue.submit(leg)
        if not (result.accepted or result.pending):
            orders.transition(leg, OrderStatus.REJECTED, signal.ts, result.reason)

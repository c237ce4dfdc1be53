"""Order intents: turn a v2 signal's order type, prices, time in force and target into an order.

``TraderContext._act_on`` calls ``order_for_intent`` instead of its own
all-in sizing when a signal carries an intent (``Signal.has_intent``), and
``attach_trailing`` after the entry is sent. A signal without an intent never
reaches this module, so v1 strategies trade exactly as before.

A target (quantity, or signed percent of equity at the signal's price) is
reached by one order for the gap, in whole lots; a buy never spends more than
the cash (fees included) allows. A LIMIT entry is sized at its limit price, a
STOP entry at its stop price. A missing price is recorded as a REJECTED order
with the reason, which the strategy sees through ``on_order_update``.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType, SignalSide, TimeInForce
from tradestack.domain.orders import Order
from tradestack.domain.signals import Signal

if TYPE_CHECKING:
    from tradestack.traders.context import TraderContext


def sized_all_in(signal: Signal) -> bool:
    """Whether the order is all-in at market, so the context may re-size it at the fill price."""
    return (
        signal.target_quantity is None
        and signal.target_percent is None
        and signal.order_type in (None, OrderType.MARKET)
    )


def order_for_intent(context: TraderContext, signal: Signal, price: Decimal) -> Order | None:
    """Create (not send) the order ``signal`` asks for; None when nothing needs doing."""
    order_type = signal.order_type or OrderType.MARKET
    limit = _decimal(signal.limit_price)
    stop = _decimal(signal.stop_price)
    problem = _missing_price(order_type, limit, stop)
    reference = limit if order_type is OrderType.LIMIT else stop if stop is not None else price
    if problem is None and reference is not None and reference <= 0:
        problem = "the entry price must be positive"
    if problem is not None:
        return _rejected(context, signal, problem)
    assert reference is not None
    quantity, side = _quantity(context, signal, reference)
    if quantity <= 0:
        return None
    return context.orders.create(
        symbol=signal.symbol,
        side=side,
        quantity=quantity,
        ts=signal.ts,
        order_type=order_type,
        price=limit if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
        stop_price=stop if order_type in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
        time_in_force=signal.time_in_force or TimeInForce.GTC,
    )


def attach_trailing(context: TraderContext, entry: Order, signal: Signal) -> None:
    """Protect ``entry`` with a reduce-only trailing stop that waits for it to fill."""
    if signal.trailing_stop_percent is None or entry.reduce_only:
        return
    leg = context.orders.create(
        symbol=entry.symbol,
        side=OrderSide.SELL if entry.side is OrderSide.BUY else OrderSide.BUY,
        quantity=entry.quantity,
        ts=signal.ts,
        order_type=OrderType.TRAILING_STOP,
        trailing_percent=Decimal(repr(signal.trailing_stop_percent)),
        reduce_only=True,
        parent_order_id=entry.client_order_id,
        oco_group=entry.client_order_id,
        trace_id=entry.trace_id,
    )
    result = context.venue.submit(leg)
    if not (result.accepted or result.pending):
        context.orders.transition(leg, OrderStatus.REJECTED, signal.ts, result.reason)


def _quantity(context: TraderContext, signal: Signal, price: Decimal) -> tuple[Decimal, OrderSide]:
    target = _target(context, signal, price)
    if target is None:
        return context._quantity_for(signal.side, signal.symbol, price, signal.stop_loss)
    held = context.portfolio.quantity(signal.symbol)
    if target < 0 and not context.strategy.allow_short:
        target = Decimal(0)
    gap = target - held
    if gap > 0:
        gap = min(gap, context._affordable(held, price) - max(held, Decimal(0)) + max(-held, 0))
    return _lots(abs(gap), context.sizing.lot_size), OrderSide.BUY if gap > 0 else OrderSide.SELL


def _target(context: TraderContext, signal: Signal, price: Decimal) -> Decimal | None:
    if signal.side is SignalSide.CLOSE:
        return None
    if signal.target_quantity is not None:
        return Decimal(repr(signal.target_quantity))
    if signal.target_percent is not None:
        notional = context.portfolio.equity * Decimal(repr(signal.target_percent)) / 100
        return notional / price
    return None


def _lots(quantity: Decimal, lot: Decimal) -> Decimal:
    return (quantity / lot).to_integral_value(ROUND_DOWN) * lot


def _missing_price(
    order_type: OrderType, limit: Decimal | None, stop: Decimal | None
) -> str | None:
    if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) and limit is None:
        return f"a {order_type.value} intent needs limit_price"
    if order_type in (OrderType.STOP, OrderType.STOP_LIMIT) and stop is None:
        return f"a {order_type.value} intent needs stop_price"
    if order_type is OrderType.TRAILING_STOP:
        return "a trailing stop is a protective leg: use trailing_stop_percent"
    return None


def _rejected(context: TraderContext, signal: Signal, reason: str) -> None:
    order = context.orders.create(
        symbol=signal.symbol, side=_side(signal), quantity=Decimal(1), ts=signal.ts
    )
    context.orders.transition(order, OrderStatus.REJECTED, signal.ts, reason)
    return None


def _side(signal: Signal) -> OrderSide:
    return OrderSide.SELL if signal.side is SignalSide.SELL else OrderSide.BUY


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))

"""Turn bus events into notifications people read: which kind, what title, what text."""

from __future__ import annotations

from typing import Any

import msgspec

from tradestack.domain.events import Event, EventType
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.domain.orders import Order

KINDS = {
    EventType.ORDER_FILLED: NotificationKind.TRADE_EXECUTED,
    EventType.ORDER_REJECTED: NotificationKind.ORDER_REJECTED,
    EventType.RISK_BREACH: NotificationKind.RISK_BREACH,
    EventType.ALERT_RAISED: NotificationKind.ALERT_RAISED,
}


def _order(value: Any) -> Order | None:
    if value is None:
        return None
    return value if isinstance(value, Order) else msgspec.convert(value, Order, strict=False)


def notification_from_event(event: Event) -> Notification | None:
    """Return the notification an event makes, or None when it makes none."""
    kind = KINDS.get(event.event_type)
    if kind is None:
        return None
    payload = event.payload
    who = event.trader_id or "-"
    if kind is NotificationKind.ALERT_RAISED:
        if not payload.get("notify", True):
            return None
        severity = str(payload.get("severity", "warning")).upper()
        channels = payload.get("notify_channels")
        return Notification(
            channels=None if channels is None else tuple(str(c) for c in channels),
            kind=kind,
            title=f"{severity} alert {payload.get('type')}",
            text=str(payload.get("message", "")),
            details={k: payload.get(k) for k in ("alert_id", "type", "severity", "subject")},
            trader_id=event.trader_id,
            ts=event.ts,
        )
    order = _order(payload.get("order"))
    reason = payload.get("reason") or (order.reason if order else None) or ""
    if kind is NotificationKind.RISK_BREACH:
        rule = payload.get("rule", "risk")
        what = f" on {order.side} {order.quantity} {order.symbol}" if order else ""
        return Notification(
            kind=kind,
            title=f"Risk {rule}: {who}",
            text=f"{reason}{what}",
            details={"rule": rule, "reason": reason},
            trader_id=event.trader_id,
            ts=event.ts,
        )
    if order is None:
        return None
    if kind is NotificationKind.TRADE_EXECUTED:
        price = order.average_fill_price if order.average_fill_price is not None else order.price
        title = f"Trade {who}: {order.side} {order.filled_quantity} {order.symbol} @ {price}"
        text = f"order {order.client_order_id} ({order.type})"
    else:
        title = f"Order rejected {who}: {order.side} {order.quantity} {order.symbol}"
        text = reason
    return Notification(
        kind=kind,
        title=title,
        text=text,
        details={"client_order_id": order.client_order_id, "symbol": order.symbol},
        trader_id=event.trader_id,
        ts=event.ts,
    )

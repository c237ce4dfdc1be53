"""Persist and publish what one TraderStep changed: one transaction, then the events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tradestack.bus.codec import to_builtins
from tradestack.bus.port import EventBus
from tradestack.domain.enums import OrderStatus
from tradestack.domain.events import Event, EventType
from tradestack.storage.database import Database
from tradestack.storage.repositories import journal
from tradestack.storage.repositories.orders import insert_fill, save_order
from tradestack.storage.repositories.portfolio import (
    insert_equity_snapshot,
    save_balance,
    save_position,
)
from tradestack.storage.repositories.progress import save_progress
from tradestack.traders.context import TraderContext, TraderStep

ORDER_EVENTS = {
    OrderStatus.SUBMITTED: EventType.ORDER_SUBMITTED,
    OrderStatus.PARTIALLY_FILLED: EventType.ORDER_PARTIALLY_FILLED,
    OrderStatus.FILLED: EventType.ORDER_FILLED,
    OrderStatus.CANCELED: EventType.ORDER_CANCELED,
    OrderStatus.REJECTED: EventType.ORDER_REJECTED,
    OrderStatus.EXPIRED: EventType.ORDER_EXPIRED,
}


async def save_cash(connection: Any, ctx: TraderContext) -> None:
    """Store the quote-asset cash and, per traded symbol, the base-asset holding."""
    portfolio = ctx.portfolio
    await save_balance(
        connection, ctx.trader_id, portfolio.quote_asset, free=portfolio.cash, locked=Decimal(0)
    )
    for symbol in {symbol for symbol, _side in portfolio.positions}:
        base = symbol.split("/", 1)[0]
        if base != portfolio.quote_asset:
            held = portfolio.quantity(symbol)
            await save_balance(connection, ctx.trader_id, base, free=held, locked=Decimal(0))


async def persist_step(
    db: Database,
    ctx: TraderContext,
    step: TraderStep,
    *,
    snapshot: bool,
    progress: tuple[str, datetime] | None = None,
) -> None:
    """Write the step: signals, orders, fills, positions, cash, snapshot, progress."""
    latest = {change.order.client_order_id: change.order for change in step.order_changes}
    for order in step.amended:
        latest.setdefault(order.client_order_id, order)
    async with db.transaction() as connection:
        await journal.insert_signals(connection, step.signals)
        for order in latest.values():
            await save_order(connection, order)
        for fill in step.fills:
            await insert_fill(connection, fill)
        for position in {id(p): p for p in step.positions}.values():
            await save_position(connection, position)
        if step.fills:
            await save_cash(connection, ctx)
        if progress is not None:
            await save_progress(connection, ctx.trader_id, *progress)
        if snapshot and step.bar is not None:
            portfolio = ctx.portfolio
            await insert_equity_snapshot(
                connection,
                ctx.trader_id,
                step.bar.ts,
                equity=portfolio.equity,
                cash=portfolio.cash,
                realized_pnl=portfolio.realized_pnl,
                unrealized_pnl=portfolio.unrealized_pnl,
            )


async def publish_step(bus: EventBus, step: TraderStep, *, trader_id: str | None = None) -> None:
    events: list[Event] = []
    owner = trader_id

    def add(event_type: str, payload: dict[str, Any], who: str | None) -> None:
        events.append(
            Event.create(
                event_type,
                to_builtins(payload),  # type: ignore[arg-type]
                source_service="strategy",
                trader_id=who or owner,
                trace_id=step.trace_id,
            )
        )

    for signal in step.signals:
        add(EventType.SIGNAL_GENERATED, {"signal": signal}, signal.trader_id)
    for change in step.order_changes:
        event_type = ORDER_EVENTS.get(change.status)
        if event_type is not None:
            payload = {"order": change.order, "status": change.status, "reason": change.reason}
            add(event_type, payload, change.order.trader_id)
    for position in step.positions:
        kind = EventType.POSITION_CLOSED if position.quantity == 0 else EventType.POSITION_CHANGED
        add(kind, {"position": position}, position.trader_id)
    for order, decision in step.risk_rejections:
        payload = {"order": order, "rule": decision.rule, "reason": decision.reason}
        add(EventType.RISK_BREACH, payload, order.trader_id)
    if step.halted:
        add(EventType.RISK_BREACH, {"rule": "halted", "reason": step.halted}, None)
    if events:
        await bus.publish_many(events)

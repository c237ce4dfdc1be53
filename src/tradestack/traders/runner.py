"""TraderRunner: drives one TraderContext from ``market.bar`` events, persisting every change.

On start it restores the trader from storage (cash, positions, working
orders), warms the strategy up on stored history, and only then subscribes,
so a restart continues where the last run stopped without re-sending orders.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from tradestack.bus.codec import to_builtins
from tradestack.bus.port import EventBus
from tradestack.domain.enums import OrderStatus
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.lifecycle import Component
from tradestack.storage.database import Database
from tradestack.storage.repositories import journal
from tradestack.storage.repositories.bars import recent_bars
from tradestack.storage.repositories.orders import (
    count_orders,
    insert_fill,
    list_orders,
    save_order,
)
from tradestack.storage.repositories.portfolio import (
    list_balances,
    list_positions,
    save_balance,
    save_position,
)
from tradestack.storage.repositories.traders import TraderRecord, get_trader, save_trader
from tradestack.traders.context import TraderContext, TraderStep

log = logging.getLogger(__name__)

_ORDER_EVENTS = {
    OrderStatus.SUBMITTED: EventType.ORDER_SUBMITTED,
    OrderStatus.PARTIALLY_FILLED: EventType.ORDER_PARTIALLY_FILLED,
    OrderStatus.FILLED: EventType.ORDER_FILLED,
    OrderStatus.CANCELED: EventType.ORDER_CANCELED,
    OrderStatus.REJECTED: EventType.ORDER_REJECTED,
    OrderStatus.EXPIRED: EventType.ORDER_EXPIRED,
}


def bar_from_event(event: Event) -> Bar:
    value = event.payload["bar"]
    return value if isinstance(value, Bar) else msgspec.convert(value, Bar)


class TraderRunner(Component):
    def __init__(
        self,
        *,
        context: TraderContext,
        db: Database,
        bus: EventBus,
        symbol: str,
        timeframe: str,
        starting_cash: Decimal,
    ) -> None:
        super().__init__()
        self.name = f"trader:{context.trader_id}"
        self.context = context
        self.db = db
        self.bus = bus
        self.symbol = symbol
        self.timeframe = timeframe
        self.starting_cash = starting_cash
        self.orders_submitted = 0
        self.orders_filled = 0
        self._last_ts: datetime | None = None

    async def _on_start(self) -> None:
        await self._restore()
        self.bus.subscribe(EventType.MARKET_BAR, self._on_bar_event, group=self.name)

    async def _restore(self) -> None:
        ctx = self.context
        async with self.db.transaction() as connection:
            record = await get_trader(connection, ctx.trader_id)
            now = datetime.now(UTC)
            await save_trader(
                connection,
                TraderRecord(
                    trader_id=ctx.trader_id,
                    strategy=ctx.strategy.name,
                    params=dict(ctx.strategy.params),
                    symbol=self.symbol,
                    timeframe=self.timeframe,
                    status="RUNNING",
                    created_at=record.created_at if record else now,
                    updated_at=now,
                ),
            )
            balances = (await list_balances(connection, trader_id=ctx.trader_id)).get(
                ctx.trader_id, {}
            )
            if ctx.portfolio.quote_asset in balances:
                ctx.portfolio.cash = balances[ctx.portfolio.quote_asset][0]
            else:
                ctx.portfolio.cash = self.starting_cash
                await save_balance(
                    connection,
                    ctx.trader_id,
                    ctx.portfolio.quote_asset,
                    free=self.starting_cash,
                    locked=Decimal(0),
                )
            for position in await list_positions(connection, trader_id=ctx.trader_id):
                ctx.portfolio.positions[position.symbol] = position
            working = await list_orders(connection, trader_id=ctx.trader_id, open_only=True)
            self.orders_submitted = await count_orders(connection, trader_id=ctx.trader_id)
            self.orders_filled = await count_orders(
                connection, trader_id=ctx.trader_id, status=OrderStatus.FILLED
            )
            history = await recent_bars(
                connection, self.symbol, self.timeframe, limit=ctx.strategy.warmup_bars + 1
            )
        for order in working:
            ctx.orders.adopt(order)
            ctx.venue.restore(order)
        ctx.warm_up(history)
        self._last_ts = history[-1].ts if history else None
        log.info(
            "trader %s restored: cash %s, %d position(s), %d working order(s)",
            ctx.trader_id,
            ctx.portfolio.cash,
            len(ctx.portfolio.open_positions),
            len(working),
        )

    async def _on_stop(self) -> None:
        async with self.db.transaction() as connection:
            record = await get_trader(connection, self.context.trader_id)
            if record is not None:
                await save_trader(connection, dataclasses.replace(record, status="STOPPED"))

    async def _on_bar_event(self, event: Event) -> None:
        bar = bar_from_event(event)
        if bar.symbol != self.symbol or bar.timeframe != self.timeframe:
            return
        if self._last_ts is not None and bar.ts <= self._last_ts:
            return  # a redelivered or replayed bar: the trader has already seen it
        self._last_ts = bar.ts
        step = self.context.on_bar(bar)
        if step.changed:
            await self._persist(step)
            await self._publish(step, event.trace_id)

    async def _persist(self, step: TraderStep) -> None:
        ctx = self.context
        latest = {change.order.client_order_id: change.order for change in step.order_changes}
        async with self.db.transaction() as connection:
            await journal.insert_signals(connection, step.signals)
            for order in latest.values():
                await save_order(connection, order)
            for fill in step.fills:
                await insert_fill(connection, fill)
            for position in step.positions:
                await save_position(connection, position)
            if step.fills:
                await save_balance(
                    connection,
                    ctx.trader_id,
                    ctx.portfolio.quote_asset,
                    free=ctx.portfolio.cash,
                    locked=Decimal(0),
                )

    async def _publish(self, step: TraderStep, trace_id: str) -> None:
        trader_id = self.context.trader_id
        events: list[Event] = []

        def add(event_type: str, payload: dict[str, Any]) -> None:
            events.append(
                Event.create(
                    event_type,
                    to_builtins(payload),  # type: ignore[arg-type]
                    source_service="strategy",
                    trader_id=trader_id,
                    trace_id=trace_id,
                )
            )

        for signal in step.signals:
            add(EventType.SIGNAL_GENERATED, {"signal": signal})
        for change in step.order_changes:
            event_type = _ORDER_EVENTS.get(change.status)
            if change.status is OrderStatus.SUBMITTED:
                self.orders_submitted += 1
            if change.status is OrderStatus.FILLED:
                self.orders_filled += 1
            if event_type is not None:
                payload = {"order": change.order, "status": change.status, "reason": change.reason}
                add(event_type, payload)
        for position in step.positions:
            if position.quantity == 0:
                add(EventType.POSITION_CLOSED, {"position": position})
            else:
                add(EventType.POSITION_CHANGED, {"position": position})
        for order, decision in step.risk_rejections:
            add(
                EventType.RISK_BREACH,
                {"order": order, "rule": decision.rule, "reason": decision.reason},
            )
        await self.bus.publish_many(events)

    def summary(self) -> dict[str, Any]:
        portfolio = self.context.portfolio
        return {
            "trader_id": self.context.trader_id,
            "state": self.state.value,
            "bars_processed": self.context.bars_processed,
            "orders_submitted": self.orders_submitted,
            "orders_filled": self.orders_filled,
            "open_positions": len(portfolio.open_positions),
            "cash": portfolio.cash,
            "equity": portfolio.equity,
            "realized_pnl": portfolio.realized_pnl,
            "unrealized_pnl": portfolio.unrealized_pnl,
        }

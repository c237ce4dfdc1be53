"""TraderRunner: one TraderContext driven by bars, persisting and publishing every change.

On start it restores the trader from storage (cash, positions, working
orders) and warms the strategy up on stored history, so a restart continues
where the last run stopped and never re-sends an order. Each bar's changes are
written in one transaction, then published.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tradestack.bus.port import EventBus
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.market import Bar
from tradestack.domain.orders import Order
from tradestack.domain.signals import Signal
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import ConfigError
from tradestack.lifecycle import Component, ComponentState
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import recent_bars
from tradestack.storage.repositories.orders import count_orders, list_orders
from tradestack.storage.repositories.portfolio import list_balances, list_positions
from tradestack.storage.repositories.progress import load_progress
from tradestack.traders.context import TraderContext, TraderStep
from tradestack.traders.journal import persist_step, publish_step, save_cash

log = logging.getLogger(__name__)
EXECUTION = "execution"


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
        snapshot_every_s: int = 300,
        track_progress: bool = False,
    ) -> None:
        """``track_progress`` stores the last finished bar every bar, so a restarted
        process resumes exactly at the first bar it had not finished (services shape)."""
        super().__init__()
        self.name = f"trader:{context.trader_id}"
        self.context = context
        self.db = db
        self.bus = bus
        self.symbol = symbol
        self.timeframe = timeframe
        self.starting_cash = starting_cash
        self.snapshot_every_s = max(snapshot_every_s, Timeframe.parse(timeframe).seconds)
        self.track_progress = track_progress
        self.orders_submitted = 0
        self.orders_filled = 0
        self._last_ts: datetime | None = None

    @property
    def trader_id(self) -> str:
        return self.context.trader_id

    async def _on_start(self) -> None:
        await self._restore()

    async def _restore(self) -> None:
        ctx = self.context
        async with self.db.transaction() as connection:
            balances = (await list_balances(connection, trader_id=ctx.trader_id)).get(
                ctx.trader_id, {}
            )
            if ctx.portfolio.quote_asset in balances:
                ctx.portfolio.cash = balances[ctx.portfolio.quote_asset][0]
            else:
                ctx.portfolio.cash = self.starting_cash
                await save_cash(connection, ctx)
            for position in await list_positions(connection, trader_id=ctx.trader_id):
                ctx.portfolio.adopt(position)
            working = await list_orders(
                connection, trader_id=ctx.trader_id, open_only=True, limit=10_000
            )
            self.orders_submitted = await count_orders(connection, trader_id=ctx.trader_id)
            self.orders_filled = await count_orders(
                connection, trader_id=ctx.trader_id, status=OrderStatus.FILLED
            )
            history = await recent_bars(
                connection, self.symbol, self.timeframe, limit=ctx.strategy.warmup_bars + 1
            )
            finished = (
                await load_progress(connection, ctx.trader_id, EXECUTION)
                if self.track_progress
                else None
            )
        for order in sorted(working, key=lambda o: (o.created_at, o.parent_order_id is not None)):
            ctx.orders.adopt(order)
            ctx.venue.restore(order)
        ctx.warm_up(history)
        self._last_ts = finished or (history[-1].ts if history else None)
        log.info(
            "trader %s restored: cash %s, %d position(s), %d working order(s)",
            ctx.trader_id,
            ctx.portfolio.cash,
            len(ctx.portfolio.open_positions),
            len(working),
        )

    async def on_bar(self, bar: Bar, trace_id: str) -> None:
        """Process one bar of this trader's series; a crash faults this trader only."""
        await self._process(bar, trace_id, None)

    async def on_evaluated(self, bar: Bar, signals: Sequence[Signal], trace_id: str) -> None:
        """Process a bar whose signals a strategy in another process already produced."""
        await self._process(bar, trace_id, signals)

    async def _process(self, bar: Bar, trace_id: str, signals: Sequence[Signal] | None) -> None:
        if self.state is not ComponentState.RUNNING:
            return
        if bar.symbol != self.symbol or bar.timeframe != self.timeframe:
            return
        if self._last_ts is not None and bar.ts <= self._last_ts:
            return  # a redelivered or replayed bar: the trader has already seen it
        self._last_ts = bar.ts
        if not await self._before_step(bar):
            return
        try:
            if signals is None:
                step = self.context.on_bar(bar)
            else:
                step = self.context.act(self.context.settle(bar), signals)
            await self._after_step(step)
        except Exception as error:
            self._faulted(error)
            return
        step.trace_id = trace_id
        snapshot = int(bar.ts.timestamp()) % self.snapshot_every_s == 0
        if step.changed or snapshot or self.track_progress:
            progress = (EXECUTION, bar.ts) if self.track_progress else None
            await persist_step(self.db, self.context, step, snapshot=snapshot, progress=progress)
        if step.changed:
            self._count(step)
            await publish_step(self.bus, step, trader_id=self.trader_id)

    async def _before_step(self, bar: Bar) -> bool:
        """Prepare for ``bar``; return False to skip it (a live venue that cannot be read)."""
        return True

    async def _after_step(self, step: TraderStep) -> None:
        """Finish what the bar started (a live venue sends the queued orders here)."""

    async def emergency_stop(self, *, flatten: bool, reason: str = "emergency stop") -> int:
        """Cancel every working order, halt new risk, and optionally close all positions.

        Returns the number of orders canceled. The runner keeps receiving bars
        so that closing orders fill and positions stay marked.
        """
        ctx = self.context
        now = self._last_ts or datetime.now(UTC)
        step = TraderStep(bar=None)
        canceled = 0
        for order in ctx.orders.open_orders():
            ctx.venue.cancel(order.client_order_id)
            ctx.orders.transition(order, OrderStatus.CANCELED, now, reason)
            canceled += 1
        ctx.risk.halt(reason)
        if flatten:
            for position in ctx.portfolio.open_positions:
                side = OrderSide.SELL if position.quantity > 0 else OrderSide.BUY
                order = ctx.orders.create(
                    symbol=position.symbol,
                    side=side,
                    quantity=abs(position.quantity),
                    ts=now,
                    order_type=OrderType.MARKET,
                    reduce_only=True,
                    position_side=position.position_side,
                )
                ctx.send(order, now)
        step.order_changes = ctx.orders.drain_changes()
        step.halted = reason
        await persist_step(self.db, ctx, step, snapshot=False)
        self._count(step)
        await publish_step(self.bus, step, trader_id=ctx.trader_id)
        return canceled

    async def submit_order(self, command: SubmitOrder) -> Order:
        """Place an order from outside the strategy; store and publish it like any other."""
        if command.symbol != self.symbol:
            raise ConfigError(f"trader {self.trader_id} trades {self.symbol}, not {command.symbol}")
        ctx = self.context
        order, decision = ctx.place(command, self._last_ts or datetime.now(UTC))
        step = TraderStep(bar=None)
        step.order_changes = ctx.orders.drain_changes()
        if not decision.approved:
            step.risk_rejections.append((order, decision))
        await self._record(step)
        return order

    async def cancel_order(self, client_order_id: str, reason: str = "canceled") -> Order:
        """Cancel one of this trader's working orders."""
        ctx = self.context
        order = ctx.cancel(client_order_id, self._last_ts or datetime.now(UTC), reason)
        step = TraderStep(bar=None)
        step.order_changes = ctx.orders.drain_changes()
        await self._record(step)
        return order

    def has_open_order(self, client_order_id: str) -> bool:
        return client_order_id in self.context.orders.orders

    async def _record(self, step: TraderStep) -> None:
        await persist_step(self.db, self.context, step, snapshot=False)
        self._count(step)
        await publish_step(self.bus, step, trader_id=self.trader_id)

    def _count(self, step: TraderStep) -> None:
        for change in step.order_changes:
            if change.status is OrderStatus.SUBMITTED:
                self.orders_submitted += 1
            elif change.status is OrderStatus.FILLED:
                self.orders_filled += 1

    def summary(self) -> dict[str, Any]:
        portfolio = self.context.portfolio
        return {
            "trader_id": self.trader_id,
            "state": self.state.value,
            "fault": self.fault,
            "halted": self.context.risk.halted,
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "strategy": self.context.strategy.name,
            "bars_processed": self.context.bars_processed,
            "orders_submitted": self.orders_submitted,
            "orders_filled": self.orders_filled,
            "open_positions": len(portfolio.open_positions),
            "cash": portfolio.cash,
            "equity": portfolio.equity,
            "realized_pnl": portfolio.realized_pnl,
            "unrealized_pnl": portfolio.unrealized_pnl,
            "fees_paid": portfolio.fees_paid,
            # What the equity change is made of: net = realized + unrealized - fees.
            "gross_pnl": portfolio.realized_pnl + portfolio.unrealized_pnl,
            "net_pnl": portfolio.realized_pnl + portfolio.unrealized_pnl - portfolio.fees_paid,
        }

"""TraderRunner: one TraderContext driven by bars, persisting and publishing every change.

On start it restores the trader from storage (cash, positions, working
orders, the last finished bar) and warms the strategy up on stored history,
so a restart continues exactly where the last run stopped and never re-sends
an order. Each bar's changes go to the journal (group commit), which writes
them, then publishes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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
from tradestack.storage.repositories.bars import warm_up_bars
from tradestack.storage.repositories.orders import count_orders, list_orders
from tradestack.storage.repositories.portfolio import list_balances, list_positions
from tradestack.storage.repositories.progress import load_progress
from tradestack.traders.journal import Journal, save_cash
from tradestack.traders.reload import reload_strategy
from tradestack.traders.spec import TraderSpec
from tradestack.traders.step import TraderStep

if TYPE_CHECKING:
    from tradestack.system.trader import Trader

log = logging.getLogger(__name__)
EXECUTION = "execution"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TraderRunner(Component):
    """Feeds one trader's stages bars, and persists and publishes what they change.

    Dependencies are explicit: the trader's stages (``system.builder``), the
    store, the bus, the clock (for changes made outside a bar) and the journal
    that group-commits the writes (shared by the traders of one process).
    The last finished bar is recorded with each bar's changes, so a restarted
    process resumes exactly at the first bar it had not finished.
    """

    def __init__(
        self,
        *,
        trader: Trader,
        db: Database,
        bus: EventBus,
        clock: Callable[[], datetime] = _utc_now,
        journal: Journal | None = None,
        snapshot_every_s: int = 300,
        bus_redelivers: bool = False,
    ) -> None:
        """``bus_redelivers``: the bus keeps the bars this trader missed while down (a
        broker) and delivers them again, so it warms up only to its last finished bar
        and resumes right after it; on the memory bus missed bars are gone, so it
        warms up on the newest stored bars instead."""
        super().__init__()
        spec = trader.spec
        self.name = f"trader:{spec.trader_id}"
        self.trader = trader
        self.context = trader.execution
        self.strategy = trader.strategy
        self.db = db
        self.bus = bus
        self.clock = clock
        self.journal = journal if journal is not None else Journal(db, bus)
        self._owns_journal = journal is None
        self.symbol = spec.symbol
        self.timeframe = spec.timeframe
        self.starting_cash = spec.starting_cash
        self.snapshot_every_s = max(snapshot_every_s, Timeframe.parse(spec.timeframe).seconds)
        self.bus_redelivers = bus_redelivers
        self.orders_submitted = 0
        self.orders_filled = 0
        self._last_ts: datetime | None = None
        self.strategy_revision: int | None = None  # the manager sets it when it starts us
        self._reload: TraderSpec | None = None

    @property
    def trader_id(self) -> str:
        return self.context.trader_id

    async def _on_start(self) -> None:
        await self._restore()

    async def _on_stop(self) -> None:
        if self._owns_journal:
            await self.journal.close()
        else:
            await self.journal.flush_or_report()

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
            finished = await load_progress(connection, ctx.trader_id, EXECUTION)
            history = await warm_up_bars(
                connection,
                self.symbol,
                self.timeframe,
                self.strategy.warmup_bars + 1,
                finished if self.bus_redelivers else None,
            )
        for order in sorted(working, key=lambda o: (o.created_at, o.parent_order_id is not None)):
            ctx.orders.adopt(order)
            ctx.venue.restore(order)
        self.trader.warm_up(history)
        newest = history[-1].ts if history else None
        self._last_ts = (finished or newest) if self.bus_redelivers else newest
        log.info(
            "trader %s restored: cash %s, %d position(s), %d working order(s)",
            ctx.trader_id,
            ctx.portfolio.cash,
            len(ctx.portfolio.open_positions),
            len(working),
        )

    async def on_bar(self, bar: Bar, trace_id: str) -> None:
        """Process one bar of this trader's series; a crash faults this trader only."""
        step = await self.settle(bar)
        if step is None:
            return
        try:
            self.strategy.observe_step(step, self.context.orders.changes)
            signals = self.strategy.evaluate(bar)
        except Exception as error:
            self._faulted(error)
            return
        await self.act(step, signals, trace_id)

    async def settle(self, bar: Bar) -> TraderStep | None:
        """Let the venue trade on ``bar``; None when the bar is skipped.

        A bar already finished (redelivered or replayed) is skipped.
        """
        if self.state is not ComponentState.RUNNING:
            return None
        if bar.symbol != self.symbol or bar.timeframe != self.timeframe:
            return None
        if self._last_ts is not None and bar.ts <= self._last_ts:
            return None
        self._last_ts = bar.ts
        if self._reload is not None:  # trader reload: swap the strategy at this bar boundary
            spec, self._reload = self._reload, None
            stage = await reload_strategy(self.db, self.strategy, self.context, spec, bar.ts)
            self.strategy = self.trader.strategy = stage
        if not await self._before_step(bar):
            return None
        try:
            step = self.context.settle(bar)
        except Exception as error:
            self._faulted(error)
            return None
        return step

    async def act(self, step: TraderStep, signals: Sequence[Signal], trace_id: str) -> None:
        """Act on the strategy's signals for the settled ``step``, then record the bar."""
        try:
            self.context.act(step, signals)
            await self._after_step(step)
        except Exception as error:
            self._faulted(error)
            return
        bar = step.bar
        assert bar is not None
        step.trace_id = trace_id
        snapshot = int(bar.ts.timestamp()) % self.snapshot_every_s == 0
        self._count(step)
        await self.journal.record(
            self.context, step, snapshot=snapshot, progress=(EXECUTION, bar.ts)
        )
        await self._written()

    def request_reload(self, spec: TraderSpec) -> None:
        """Reload the strategy just before the next bar (a first call only records the revision)."""
        if self.strategy_revision is not None:
            self._reload = spec
        self.strategy_revision = spec.strategy_revision

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
        now = self._last_ts or self.clock()
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
        self._count(step)
        await self.journal.record(ctx, step, snapshot=False)
        await self.journal.flush()
        return canceled

    async def submit_order(self, command: SubmitOrder) -> Order:
        """Place an order from outside the strategy; store and publish it like any other."""
        if command.symbol != self.symbol:
            raise ConfigError(f"trader {self.trader_id} trades {self.symbol}, not {command.symbol}")
        ctx = self.context
        order, decision = ctx.place(command, self._last_ts or self.clock())
        step = TraderStep(bar=None)
        step.order_changes = ctx.orders.drain_changes()
        if not decision.approved:
            step.risk_rejections.append((order, decision))
        await self._write_now(step)
        return order

    async def cancel_order(self, client_order_id: str, reason: str = "canceled") -> Order:
        """Cancel one of this trader's working orders."""
        ctx = self.context
        order = ctx.cancel(client_order_id, self._last_ts or self.clock(), reason)
        step = TraderStep(bar=None)
        step.order_changes = ctx.orders.drain_changes()
        await self._write_now(step)
        return order

    def has_open_order(self, client_order_id: str) -> bool:
        return client_order_id in self.context.orders.orders

    async def _write_now(self, step: TraderStep) -> None:
        """Record a change made outside a bar and write it at once (the caller waits on it)."""
        self._count(step)
        await self.journal.record(self.context, step, snapshot=False)
        await self.journal.flush()

    async def _written(self) -> None:
        """After a bar is recorded (a live runner writes it through before the next)."""

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

"""The journal: every trader's changes written with group commit, then published.

A runner hands each bar's ``TraderStep`` to ``Journal.record``; the journal
turns it into rows and events and writes everything recorded since the last
write in one transaction (one statement per table) when ``max_pending`` steps
are waiting or ``max_delay_s`` after the first one, whichever comes first,
and always on ``flush``/``close``. Events are published only after their rows
are committed, so a consumer that sees an event can read it back. Orders and
positions are written in their state at write time (the newest), which is
what writing every intermediate state would have left behind.

A live venue's order is written before it is sent by the runner itself
(``LiveTraderRunner._save_in_flight``); live runners flush after every step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from copy import copy
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from tradestack.bus.codec import to_builtins
from tradestack.bus.port import EventBus
from tradestack.domain.enums import OrderStatus
from tradestack.domain.events import Event, EventType
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.errors import TradestackError
from tradestack.storage.database import Database
from tradestack.storage.repositories import journal as journal_rows
from tradestack.storage.repositories.orders import insert_fills, save_orders
from tradestack.storage.repositories.portfolio import (
    insert_equity_snapshots,
    save_balances,
    save_positions,
)
from tradestack.storage.repositories.progress import save_progress_many
from tradestack.traders.context import TraderContext
from tradestack.traders.step import TraderStep

log = logging.getLogger(__name__)

ORDER_EVENTS = {
    OrderStatus.SUBMITTED: EventType.ORDER_SUBMITTED,
    OrderStatus.PARTIALLY_FILLED: EventType.ORDER_PARTIALLY_FILLED,
    OrderStatus.FILLED: EventType.ORDER_FILLED,
    OrderStatus.CANCELED: EventType.ORDER_CANCELED,
    OrderStatus.REJECTED: EventType.ORDER_REJECTED,
    OrderStatus.EXPIRED: EventType.ORDER_EXPIRED,
}


def cash_rows(ctx: TraderContext) -> list[tuple[str, str, Decimal]]:
    """The quote-asset cash and, per traded symbol, the base-asset holding, as balance rows."""
    portfolio = ctx.portfolio
    rows = [(ctx.trader_id, portfolio.quote_asset, portfolio.cash)]
    for symbol in {symbol for symbol, _side in portfolio.positions}:
        base = symbol.split("/", 1)[0]
        if base != portfolio.quote_asset:
            rows.append((ctx.trader_id, base, portfolio.quantity(symbol)))
    return rows


async def save_cash(connection: Any, ctx: TraderContext) -> None:
    """Store the trader's balances now (a restore that found none)."""
    await save_balances(connection, cash_rows(ctx))


def step_events(step: TraderStep, *, trader_id: str | None, source: str) -> list[Event]:
    """The events one step publishes: signals, order changes, positions, risk breaches."""
    events: list[Event] = []
    trace = step.trace_id

    def add(event_type: str, payload: dict[str, Any], who: str | None) -> None:
        events.append(
            Event.create(
                event_type,
                cast(dict[str, Any], to_builtins(payload)),
                source_service=source,
                trader_id=who or trader_id,
                trace_id=trace,
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
    return events


async def publish_step(
    bus: EventBus, step: TraderStep, *, trader_id: str | None = None, source: str = "strategy"
) -> None:
    """Publish one step's events at once, unwritten (what the journal publishes after a write)."""
    events = step_events(step, trader_id=trader_id, source=source)
    if events:
        await bus.publish_many(events)


class _Batch:
    __slots__ = ("cash", "events", "fills", "orders", "positions", "progress", "signals", "snaps")

    def __init__(self) -> None:
        self.signals: list[Any] = []
        self.orders: dict[str, Order] = {}
        self.fills: list[Fill] = []
        self.positions: dict[tuple[str, str, str], Position] = {}
        self.cash: dict[str, TraderContext] = {}
        self.snaps: list[dict[str, object]] = []
        self.progress: dict[tuple[str, str], datetime] = {}
        self.events: list[Event] = []

    def __bool__(self) -> bool:
        return bool(self.orders or self.fills or self.signals or self.progress or self.events)

    def absorb(self, later: _Batch) -> None:
        """Put ``later`` after this batch (a failed write keeps its rows for the next one)."""
        self.signals.extend(later.signals)
        self.orders.update(later.orders)
        self.fills.extend(later.fills)
        self.positions.update(later.positions)
        self.cash.update(later.cash)
        self.snaps.extend(later.snaps)
        self.progress.update(later.progress)
        self.events.extend(later.events)


class Journal:
    """Group commit for the traders of one process: bounded latency, flushed on close."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        *,
        max_delay_s: float = 0.05,
        max_pending: int = 2_000,
        source_service: str = "strategy",
    ) -> None:
        self.db = db
        self.bus = bus
        self.max_delay_s = max_delay_s
        self.max_pending = max_pending
        self.source_service = source_service
        self.commits = 0
        self.steps_written = 0
        self._batch = _Batch()
        self._pending = 0
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self.failed_writes = 0
        """Writes failed in a row (a full disk, a lost database); 0 once one succeeds."""

    async def record(
        self,
        ctx: TraderContext,
        step: TraderStep,
        *,
        snapshot: bool,
        progress: tuple[str, datetime] | None = None,
        publish: bool = True,
    ) -> None:
        """Queue what ``step`` changed; write it within ``max_delay_s`` (or now, when full)."""
        batch = self._batch
        trader_id = ctx.trader_id
        if step.signals:
            batch.signals.extend(step.signals)
        for change in step.order_changes:
            batch.orders[change.order.client_order_id] = change.order
        for order in step.amended:
            batch.orders[order.client_order_id] = order
        if step.fills:
            batch.fills.extend(step.fills)
            batch.cash[trader_id] = ctx
        for position in step.positions:
            key = (position.trader_id, position.symbol, position.position_side.value)
            batch.positions[key] = position
        if progress is not None:
            batch.progress[(trader_id, progress[0])] = progress[1]
        if snapshot and step.bar is not None:
            portfolio = ctx.portfolio
            batch.snaps.append(
                {
                    "trader_id": trader_id,
                    "ts": step.bar.ts,
                    "equity": portfolio.equity,
                    "cash": portfolio.cash,
                    "realized_pnl": portfolio.realized_pnl,
                    "unrealized_pnl": portfolio.unrealized_pnl,
                }
            )
        if publish and step.changed:
            batch.events.extend(step_events(step, trader_id=trader_id, source=self.source_service))
        self._pending += 1
        if self.max_delay_s <= 0:
            await self.flush()
        elif self._pending >= self.max_pending:
            await self._flush_behind()
        elif self._timer is None and self._task is None:
            self._timer = asyncio.get_running_loop().call_later(self.max_delay_s, self._due)

    async def _flush_behind(self) -> None:
        """Write a full batch while the traders go on with the next one (one write at a time:
        a second full batch waits for the first, which bounds what is held in memory)."""
        if self._task is not None:
            await asyncio.shield(self._task)
        if self._pending >= self.max_pending and self._task is None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._task = asyncio.get_running_loop().create_task(self._timed_flush())

    def _due(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._timed_flush())

    async def _timed_flush(self) -> None:
        try:
            await self.flush()
        except Exception as error:  # the rows stay queued; the next write tries again
            self.failed_writes += 1
            if self.failed_writes == 1:  # one line, not one per retry (a full disk would flood)
                log.error("journal write failed; the rows are kept and retried: %s", error)
        else:
            if self.failed_writes:
                log.warning("journal written again after %d failed writes", self.failed_writes)
            self.failed_writes = 0
        finally:
            self._task = None
            if self._batch and self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(
                    self._retry_delay_s(), self._due
                )

    def _retry_delay_s(self) -> float:
        """``max_delay_s`` normally; doubling up to 5 s while writes keep failing."""
        if not self.failed_writes:
            return self.max_delay_s
        return min(5.0, self.max_delay_s * 2 ** min(self.failed_writes, 16))

    async def flush(self) -> None:
        """Write everything queued in one transaction, then publish its events."""
        async with self._lock:
            batch, self._batch = self._batch, _Batch()
            pending, self._pending = self._pending, 0
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not batch and not batch.snaps:
                return
            rows = _rows(batch)
            try:
                async with self.db.transaction() as connection:
                    await journal_rows.insert_signals(connection, batch.signals)
                    await save_orders(connection, rows["orders"])
                    await insert_fills(connection, batch.fills)
                    await save_positions(connection, rows["positions"])
                    await save_balances(connection, rows["cash"])
                    await insert_equity_snapshots(connection, batch.snaps)
                    await save_progress_many(connection, rows["progress"])
            except BaseException:
                batch.absorb(self._batch)
                self._batch, self._pending = batch, pending + self._pending
                raise
            self.commits += 1
            self.steps_written += pending
            if batch.events:
                await self.bus.publish_many(batch.events)

    async def close(self) -> None:
        """Write what is queued and stop the timer (a stopping runner or kernel)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        await self.flush_or_report()

    async def flush_or_report(self) -> None:
        """``flush`` at a stop, where nothing can retry: a storage error is one logged line.

        What could not be written is lost with the process, as after a crash; a restart
        continues from the stored state, which stays consistent (one transaction per batch).
        """
        try:
            await self.flush()
        except TradestackError as error:
            log.error("stopping with %d trader steps unwritten: %s", self._pending, error)


def _rows(batch: _Batch) -> dict[str, list[Any]]:
    """Copy the mutable parts now, before the first await: a bar processed while the
    transaction runs must not leak into it (the rows and the progress stay one bar)."""
    cash: list[tuple[str, str, Decimal]] = []
    for ctx in batch.cash.values():
        cash.extend(cash_rows(ctx))
    return {
        "orders": [copy(order) for order in batch.orders.values()],
        "positions": [copy(position) for position in batch.positions.values()],
        "cash": cash,
        "progress": [(t, role, ts) for (t, role), ts in batch.progress.items()],
    }

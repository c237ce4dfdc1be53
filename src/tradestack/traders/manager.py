"""TraderManager: creates, starts, stops, halts and removes traders, and feeds them bars.

The ``traders`` table holds each trader's desired state (active, stopped,
halted); the manager converges to it on start and every second after, so the
CLI can steer a running platform by writing that table. One bus subscription
serves every trader: bars are dispatched by (symbol, timeframe), and a trader
that crashes is faulted alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.events import Event, EventType
from tradestack.domain.orders import Order
from tradestack.errors import ConfigError, ConflictError, NotFoundError
from tradestack.execution.queries import find_order
from tradestack.lifecycle import Component, ComponentState
from tradestack.risk.account import AccountGuard
from tradestack.storage.database import Database
from tradestack.system.builder import account_guard, build_runner
from tradestack.system.modes import mode_for_venue
from tradestack.traders import admin
from tradestack.traders.events import bar_from_event
from tradestack.traders.journal import Journal
from tradestack.traders.runner import TraderRunner
from tradestack.traders.spec import ACTIVE, HALTED, STOPPED, TraderSpec

log = logging.getLogger(__name__)
SeriesHook = Callable[[str, str], Awaitable[None]]


class TraderManager(Component):
    name = "trader-manager"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        settings: Settings,
        on_series: SeriesHook | None = None,
        poll_interval_s: float = 1.0,
        journal: Journal | None = None,
    ) -> None:
        """``journal``: where every trader's changes are group-committed (one per process)."""
        super().__init__()
        self.db = db
        self.bus = bus
        self.settings = settings
        self.on_series = on_series
        self.poll_interval_s = poll_interval_s
        self.runners: dict[str, TraderRunner] = {}
        self.guards: dict[str, AccountGuard] = {}
        self._by_series: dict[tuple[str, str], list[TraderRunner]] = {}
        self._lock = asyncio.Lock()
        self.journal = journal if journal is not None else Journal(db, bus)

    async def _on_start(self) -> None:
        self._subscribe()
        await self.reconcile()
        self.spawn(self._poll(), "reconcile")

    def _subscribe(self) -> None:
        """One process runs both stages: every trader runs each bar here."""
        self.bus.subscribe(EventType.MARKET_BAR, self._dispatch, group="traders")

    async def settle_up(self, *, poll_s: float = 0.005) -> None:
        """Wait until every bar already on the bus is handled, then write and publish it all.

        Called before the bus closes (the kernel's stop), so the last batch's
        events still reach the audit table and the stream.
        """
        while True:
            figures = (self.bus.health().get("groups") or {}).get("traders") or {}
            if not figures.get("lag") and not figures.get("pending"):
                break
            await asyncio.sleep(poll_s)
        await asyncio.sleep(0)
        await self.journal.flush_or_report()

    async def _on_stop(self) -> None:
        for trader_id in list(self.runners):
            await self._stop_runner(trader_id)
        await self.journal.close()

    # -- commands ----------------------------------------------------------------------------

    async def add(self, spec: TraderSpec) -> TraderSpec:
        """Store a new trader and start it when its status is active."""
        async with self._lock:
            await admin.add_trader(self.db, self.settings, spec)
            if spec.status == ACTIVE:
                await self._start_runner(spec)
        return spec

    async def start_trader(self, trader_id: str) -> None:
        """Mark a stored trader active and run it (also lifts a halt and replaces a FAULTED run)."""
        async with self._lock:
            spec = await admin.set_status(self.db, trader_id, ACTIVE)
            faulted = self.runners.get(trader_id)
            if faulted is not None and faulted.state is ComponentState.FAULTED:
                await self._stop_runner(trader_id)  # an explicit start is the reset: run afresh
            if trader_id not in self.runners:
                await self._start_runner(spec)
            else:
                self.runners[trader_id].context.risk.resume()

    async def stop_trader(self, trader_id: str) -> None:
        """Stop one trader, leaving its working orders and positions as they are."""
        async with self._lock:
            await admin.set_status(self.db, trader_id, STOPPED)
            await self._stop_runner(trader_id)

    async def emergency_stop(self, trader_id: str, *, flatten: bool = False) -> int:
        """Cancel the trader's orders, halt it, and optionally close its positions."""
        async with self._lock:
            spec = await admin.set_status(self.db, trader_id, HALTED, flatten=flatten)
            runner = self.runners.get(trader_id) or await self._start_runner(spec)
            return await runner.emergency_stop(flatten=flatten)

    async def remove(self, trader_id: str) -> None:
        """Delete a stopped trader's definition; its orders and fills stay for the record."""
        async with self._lock:
            if trader_id in self.runners:
                raise ConfigError(f"trader {trader_id!r} is running; stop it first")
            await admin.remove_trader(self.db, trader_id)

    async def submit_order(self, command: SubmitOrder) -> Order:
        """Send an order through the trader's risk check, order manager and venue.

        Raises
        ------
        NotFoundError
            No trader has that id.
        ConflictError
            The trader exists but is not running.
        ConfigError
            The order is for a symbol the trader does not trade.
        """
        async with self._lock:
            return await (await self._running(command.trader_id)).submit_order(command)

    async def cancel_order(self, client_order_id: str) -> Order:
        """Cancel a working order of whichever running trader owns it.

        Raises
        ------
        NotFoundError
            No order has that id.
        ConflictError
            The order is no longer open, or its trader is not running.
        """
        async with self._lock:
            for runner in self.runners.values():
                if runner.has_open_order(client_order_id):
                    return await runner.cancel_order(client_order_id)
            order = await find_order(self.db, client_order_id)
            if order is None:
                raise NotFoundError(f"no order {client_order_id!r}")
            if not order.status.is_open:
                raise ConflictError(
                    f"order {client_order_id} is {order.status.value}; only open orders cancel"
                )
            raise ConflictError(f"trader {order.trader_id} is not running; start it first")

    async def _running(self, trader_id: str) -> TraderRunner:
        runner = self.runners.get(trader_id)
        if runner is not None and runner.state is ComponentState.RUNNING:
            return runner
        if not any(spec.trader_id == trader_id for spec in await self.specs()):
            raise NotFoundError(f"no trader named {trader_id!r}")
        raise ConflictError(f"trader {trader_id} is not running; start it first")

    async def specs(self) -> list[TraderSpec]:
        return await admin.stored_traders(self.db)

    def summary_list(self) -> list[dict[str, Any]]:
        return [runner.summary() for runner in self.runners.values()]

    async def summaries(self) -> dict[str, dict[str, Any]]:
        """Live figures of every running trader, by trader id."""
        return {runner.trader_id: runner.summary() for runner in self.runners.values()}

    # -- convergence ---------------------------------------------------------------------------

    async def reconcile(self) -> None:
        """Make the running traders match the stored desired states."""
        async with self._lock:
            for spec in await self.specs():
                running = self.runners.get(spec.trader_id)
                if spec.status in (ACTIVE, HALTED) and running is None:
                    try:
                        running = await self._start_runner(spec)
                    except ConfigError as error:
                        log.error("cannot start trader %s: %s", spec.trader_id, error)
                        continue
                    if spec.status == HALTED:
                        running.context.risk.halt("halted before the restart")
                elif spec.status == STOPPED and running is not None:
                    await self._stop_runner(spec.trader_id)
                elif (
                    spec.status == HALTED
                    and running is not None
                    and not running.context.risk.halted
                ):
                    await running.emergency_stop(flatten=spec.halt_flatten)
                elif spec.status == ACTIVE and running is not None and running.context.risk.halted:
                    running.context.risk.resume()
                if running is not None and spec.strategy_revision != running.strategy_revision:
                    running.request_reload(spec)  # applied at the next bar (traders/reload.py)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            await self.reconcile()

    async def _start_runner(self, spec: TraderSpec) -> TraderRunner:
        guard = self.guards.get(spec.account_id)
        if guard is None:
            guard = self.guards[spec.account_id] = account_guard(self.settings, spec.account_id)
        runner = build_runner(
            spec,
            self.settings,
            mode=mode_for_venue(spec.venue),
            store=self.db,
            bus=self.bus,
            guard=guard,
            journal=self.journal,
            bus_redelivers=self.settings.event_bus != "memory",
        )
        if self.on_series is not None:
            await self.on_series(spec.symbol, spec.timeframe)
        try:
            await runner.start()
        except Exception as error:  # a broken strategy or restore: fault this trader alone
            log.error("trader %s failed to start: %s", spec.trader_id, error)
        runner.strategy_revision = spec.strategy_revision
        self.runners[spec.trader_id] = runner
        self._by_series.setdefault((spec.symbol, spec.timeframe), []).append(runner)
        return runner

    async def _stop_runner(self, trader_id: str) -> None:
        runner = self.runners.pop(trader_id, None)
        if runner is None:
            return
        series = self._by_series.get((runner.symbol, runner.timeframe), [])
        if runner in series:
            series.remove(runner)
        await runner.stop()

    async def _dispatch(self, event: Event) -> None:
        bar = bar_from_event(event)
        for runner in list(self._by_series.get((bar.symbol, bar.timeframe), ())):
            await runner.on_bar(bar, event.trace_id)

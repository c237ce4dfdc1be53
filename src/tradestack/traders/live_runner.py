"""LiveTraderRunner: a TraderRunner whose orders go to a live (ccxt) venue.

On start it restores the trader from storage like any runner, then connects
and reconciles with the venue. Until reconciliation succeeds the trader stays
halted, says why (``summary()['halted']``), retries every
``reconcile_retry_s`` on incoming bars, and its strategy sees no bar. Once
reconciled, each bar runs: poll the venue -> the synchronous core (strategy,
risk, order manager, queued venue) -> send what was queued -> persist+publish.
A restart never re-submits: stored orders are only looked up and settled.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.domain.orders import Order
from tradestack.errors import VenueError
from tradestack.execution.live_executor import ExecutorSettings, LiveExecutor
from tradestack.execution.live_session import LiveSession
from tradestack.execution.reconciliation import (
    Reconciler,
    ReconciliationResult,
    ReconciliationSettings,
)
from tradestack.execution.venues.live import LiveVenue
from tradestack.execution.venues.queued import QueuedVenue
from tradestack.storage.repositories.orders import list_fills, save_order
from tradestack.traders.runner import TraderRunner
from tradestack.traders.step import TraderStep

log = logging.getLogger(__name__)
_NOT_RECONCILED = "not reconciled with the venue yet"


class LiveTraderRunner(TraderRunner):
    def __init__(
        self,
        *,
        live_venue: LiveVenue,
        reconciliation: ReconciliationSettings | None = None,
        executor_settings: ExecutorSettings | None = None,
        reconcile_retry_s: float = 30.0,
        **runner: Any,
    ) -> None:
        super().__init__(**runner)
        queue = self.context.venue
        if not isinstance(queue, QueuedVenue):
            raise TypeError("a live trader's context must use a QueuedVenue")
        self.live_venue = live_venue
        self.executor = LiveExecutor(
            live_venue,
            self.context.orders,
            settings=executor_settings,
            on_in_flight=self._save_in_flight,
        )
        self.session = LiveSession(self.executor, queue)
        self.reconciliation_settings = reconciliation or ReconciliationSettings()
        self.reconcile_retry_s = reconcile_retry_s
        self.reconciled = False
        self.last_reconciliation: ReconciliationResult | None = None
        self._connected = False
        self._last_attempt = 0.0

    async def _on_start(self) -> None:
        await self._restore()
        for order in self.context.orders.open_orders():
            self.executor.track(order)
        async with self.db.read() as connection:
            stored = await list_fills(connection, trader_id=self.trader_id, limit=1_000_000)
        self.executor.remember_fills({fill.trade_id for fill in stored})
        self.context.risk.halt(_NOT_RECONCILED)
        await self.reconcile()

    async def _on_stop(self) -> None:
        try:
            await self.live_venue.close()
        except VenueError as error:
            log.warning("closing %s: %s", self.live_venue.name, error)

    async def reconcile(self) -> ReconciliationResult:
        """Connect if needed and reconcile; on success lift the halt, otherwise keep it."""
        self._last_attempt = time.monotonic()
        now = self.clock()
        if not self._connected:
            try:
                await self.live_venue.connect()
                self._connected = True
            except VenueError as error:
                result = ReconciliationResult(self.trader_id, ok=False)
                result.reason = f"cannot connect to {self.live_venue.name}: {error}"
                log.error("trader %s %s", self.trader_id, result.summary())
                return await self._record(result)
        reconciler = Reconciler(
            executor=self.executor,
            portfolio=self.context.portfolio,
            symbols=[self.symbol],
            settings=self.reconciliation_settings,
        )
        return await self._record(await reconciler.run(now))

    async def _record(self, result: ReconciliationResult) -> ReconciliationResult:
        self.last_reconciliation = result
        step = TraderStep(
            bar=None,
            fills=result.fills,
            positions=result.positions,
            order_changes=result.order_changes,
        )
        if step.changed:
            await self._record(step)
        event_type = (
            EventType.RECONCILIATION_COMPLETED if result.ok else EventType.RECONCILIATION_FAILED
        )
        await self.bus.publish(
            Event.create(
                event_type,
                result.to_payload(),
                source_service="exec-risk",
                trader_id=self.trader_id,
            )
        )
        risk = self.context.risk
        if result.ok:
            self.reconciled = True
            if risk.halted is not None and _owned_halt(risk.halted):
                risk.resume()
        else:
            self.reconciled = False
            if risk.halted is None or _owned_halt(risk.halted):
                risk.resume()  # replace our own reason with the latest one
                risk.halt(result.summary())
        return result

    async def _before_step(self, bar: Bar) -> bool:
        if not self.reconciled:
            if time.monotonic() - self._last_attempt < self.reconcile_retry_s:
                return False
            if not (await self.reconcile()).ok:
                return False
        try:
            await self.session.before_bar(self.symbol, bar.ts)
        except VenueError as error:
            log.warning("trader %s skips a bar: venue unreadable (%s)", self.trader_id, error)
            return False
        return True

    async def _after_step(self, step: TraderStep) -> None:
        ts = step.bar.ts if step.bar is not None else self.clock()
        late = await self.session.after_bar(ts)
        for fill in late:
            step.fills.append(fill)
            step.positions.append(self.context.portfolio.apply_fill(fill))
        step.order_changes.extend(self.context.orders.drain_changes())

    async def emergency_stop(self, *, flatten: bool, reason: str = "emergency stop") -> int:
        canceled = await super().emergency_stop(flatten=flatten, reason=reason)
        step = TraderStep(bar=None)
        await self._after_step(step)
        if step.changed:
            await self._record(step)
        return canceled

    async def _written(self) -> None:
        # Write every bar through: the next bar may send orders, and what was
        # decided before must be on disk first.
        await self.journal.flush()

    async def _save_in_flight(self, order: Order) -> None:
        """Write the order down before it leaves: a crash mid-send leaves an IN_FLIGHT record.

        What the journal still holds is written first, in order, so the record
        of the order is never older on disk than the IN_FLIGHT one.
        """
        await self.journal.flush()
        async with self.db.transaction() as connection:
            await save_order(connection, order)

    def summary(self) -> dict[str, Any]:
        summary = super().summary()
        last = self.last_reconciliation
        summary["venue"] = self.live_venue.name
        summary["reconciled"] = self.reconciled
        summary["reconciliation"] = last.summary() if last is not None else None
        return summary


def _owned_halt(reason: str) -> bool:
    return reason == _NOT_RECONCILED or reason.startswith("reconciliation failed")

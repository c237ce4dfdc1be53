"""Reconciliation on start: make storage and the venue agree before a live trader trades.

The database says which orders were working and what the trader held; the
venue says what really happened while we were away. ``Reconciler.run``:

1. reads the venue's open orders and balances (with retries); when either
   cannot be read, reconciliation fails: a missing report is never "flat";
2. settles every order stored as open: matched with the venue's open orders,
   or looked up by client_order_id; one the venue never received is closed
   here, never re-submitted;
3. adopts or cancels orphaned venue orders of this trader (``orphan_policy``);
4. applies the fills the venue reports and storage lacks (once per trade id),
   then ends orders the venue has ended; fills it cannot account for fail it;
5. compares positions with the venue's balances: holding more than the
   account has fails it, any other difference is reported.

The result lists every change, for the caller to persist, log and publish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tradestack.domain.enums import OrderStatus, OrderType
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.errors import ReconciliationError, VenueError
from tradestack.execution.live_executor import LiveExecutor
from tradestack.execution.order_manager import OrderChange, OrderManager
from tradestack.execution.retry import with_retry
from tradestack.execution.venues.live import VenueBalance, VenueOrder, VenueOrderState
from tradestack.portfolio.ledger import Portfolio

log = logging.getLogger(__name__)
_ENDINGS = {
    VenueOrderState.CANCELED: OrderStatus.CANCELED,
    VenueOrderState.EXPIRED: OrderStatus.EXPIRED,
    VenueOrderState.REJECTED: OrderStatus.REJECTED,
}


class OrphanPolicy(StrEnum):
    ADOPT = "adopt"
    """Track the order as the trader's own; its fills count."""
    CANCEL = "cancel"
    """Cancel it at the venue (the default: nothing trades that the trader did not decide)."""


class OrphanScope(StrEnum):
    OWN = "own"
    """Orphans are open venue orders whose client id shows they are this trader's."""
    SYMBOL = "symbol"
    """Every unknown open order on the trader's symbols (an account used by this trader only)."""


@dataclass(frozen=True, slots=True)
class ReconciliationSettings:
    orphan_policy: OrphanPolicy = OrphanPolicy.CANCEL
    orphan_scope: OrphanScope = OrphanScope.OWN
    check_balances: bool = True
    """Spot accounts: fail when a position exceeds the venue's balance of its base asset."""
    send_unsent_within_s: float = 0.0
    """An order written down (IN_FLIGHT) but not at the venue, younger than this, was
    never sent (the process died between the write and the send): it stays in flight
    and the executor sends it once, under its own client order id. Older ones, or
    with 0, are closed here: a restart never sends a stale order."""


@dataclass(slots=True)
class ReconciliationResult:
    trader_id: str
    ok: bool = True
    reason: str | None = None
    fills: list[Fill] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    order_changes: list[OrderChange] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    canceled: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.ok:
            return f"reconciliation failed: {self.reason}"
        return (
            f"reconciled: {len(self.matched)} matched, {len(self.resolved)} resolved, "
            f"{len(self.fills)} fill(s) applied, {len(self.adopted)} adopted, "
            f"{len(self.canceled)} canceled, {len(self.foreign)} foreign"
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reason": self.reason,
            "summary": self.summary(),
            "fills": [f.trade_id for f in self.fills],
            "matched": self.matched,
            "resolved": self.resolved,
            "adopted": self.adopted,
            "canceled": self.canceled,
            "foreign": self.foreign,
            "notes": self.notes,
        }


def apply_fills(fills: list[Fill], orders: OrderManager, portfolio: Portfolio) -> list[Position]:
    """Apply fills to their orders (when still open here) and to the portfolio."""
    positions = []
    for fill in fills:
        if fill.client_order_id in orders.orders:
            orders.apply_fill(fill)
        positions.append(portfolio.apply_fill(fill))
    return positions


class Reconciler:
    def __init__(
        self,
        *,
        executor: LiveExecutor,
        portfolio: Portfolio,
        symbols: list[str],
        settings: ReconciliationSettings | None = None,
    ) -> None:
        self.executor = executor
        self.orders = executor.orders
        self.venue = executor.venue
        self.portfolio = portfolio
        self.symbols = symbols
        self.settings = settings or ReconciliationSettings()

    async def run(self, ts: datetime) -> ReconciliationResult:
        """Reconcile; never raises for venue trouble: ``ok`` is False with the reason."""
        result = ReconciliationResult(self.orders.trader_id)
        try:
            await self._reconcile(result, ts)
        except (VenueError, ReconciliationError) as error:
            result.ok = False
            result.reason = str(error)
        result.order_changes = self.orders.drain_changes()
        level = logging.INFO if result.ok else logging.ERROR
        log.log(level, "trader %s %s", result.trader_id, result.summary())
        return result

    async def _reconcile(self, result: ReconciliationResult, ts: datetime) -> None:
        venue_open: list[VenueOrder] = []
        for symbol in self.symbols:
            venue_open += await self._read(
                lambda s=symbol: self.venue.fetch_open_orders(s), f"{symbol} open orders"
            )
        balances = await self._read(self.venue.fetch_balance, "balances")
        stored = sorted(self.orders.open_orders(), key=lambda o: o.created_at)
        for order in stored:
            self.executor.track(order)
        by_client_id = {v.client_order_id: v for v in venue_open if v.client_order_id}
        seen = {}
        for order in stored:
            seen[order.client_order_id] = await self._settle(order, by_client_id, result, ts)
        stored_ids = {o.client_order_id for o in stored}
        for orphan in venue_open:
            if orphan.client_order_id not in stored_ids:
                adopted = await self._handle_orphan(orphan, result, ts)
                if adopted is not None:
                    stored.append(adopted)
                    seen[adopted.client_order_id] = orphan
        await self._apply_missing_fills(stored, result)
        for order in stored:
            view = seen[order.client_order_id]
            if view is not None and order.status.is_open:
                self._end_if_ended(order, view, ts)
        if self.settings.check_balances:
            self._compare_balances(balances, result)

    def _send_later(self, order: Order, ts: datetime) -> bool:
        within = self.settings.send_unsent_within_s
        if within <= 0 or order.status is not OrderStatus.IN_FLIGHT:
            return False
        return (ts - order.created_at).total_seconds() <= within

    async def _read(self, call: Any, what: str) -> Any:
        try:
            return await with_retry(call, self.executor.settings.read_retry, f"reconcile {what}")
        except VenueError as error:
            raise ReconciliationError(
                f"the venue's {what} could not be read ({error}); not assuming flat"
            ) from None

    async def _settle(
        self,
        order: Order,
        venue_open: dict[str, VenueOrder],
        result: ReconciliationResult,
        ts: datetime,
    ) -> VenueOrder | None:
        """Find one stored order at the venue; close it here if the venue never had it."""
        cid = order.client_order_id
        view = venue_open.get(cid)
        if view is not None:
            result.matched.append(cid)
        else:
            view = await self._read(
                lambda: self.venue.fetch_order_by_client_id(order), f"report of order {cid}"
            )
        if view is None and self._send_later(order, ts):
            result.resolved.append(f"{cid}: written but never sent; sending it once")
            return None
        if view is None:
            unsent = order.status in (OrderStatus.NEW, OrderStatus.IN_FLIGHT)
            status = OrderStatus.REJECTED if unsent else OrderStatus.CANCELED
            reason = "the venue has no such order; a restart never re-submits"
            self.orders.transition(order, status, ts, reason)
            result.resolved.append(f"{cid}: {status.value.lower()} ({reason})")
            return None
        self.executor.record_seen(order, view, ts)
        if cid not in result.matched:
            result.resolved.append(f"{cid}: {view.state.value} at the venue")
        return view

    async def _apply_missing_fills(self, stored: list[Order], result: ReconciliationResult) -> None:
        if not stored:
            return
        since = self.executor.fills_since(stored)
        for symbol in {o.symbol for o in stored}:
            reported = await self._read(
                lambda s=symbol: self.venue.fetch_fills(s, since), f"{symbol} fills"
            )
            fills = self.executor.new_fills(reported)
            fills += self.executor.late_fills
            self.executor.late_fills = []
            result.fills += fills
            result.positions += apply_fills(fills, self.orders, self.portfolio)

    def _end_if_ended(self, order: Order, view: VenueOrder, ts: datetime) -> None:
        if view.filled_quantity > order.filled_quantity:
            raise ReconciliationError(
                f"order {order.client_order_id} has {view.filled_quantity} filled at the venue "
                f"but only {order.filled_quantity} in reported trades"
            )
        status = _ENDINGS.get(view.state)
        if status is not None and order.status is not OrderStatus.IN_FLIGHT:
            self.orders.transition(order, status, ts, f"{view.state.value} while down")

    async def _handle_orphan(
        self, orphan: VenueOrder, result: ReconciliationResult, ts: datetime
    ) -> Order | None:
        """Adopt (returned, fills to come) or cancel an orphan of ours; leave others alone."""
        label = orphan.client_order_id or orphan.venue_order_id
        if not (orphan.ours or self.settings.orphan_scope is OrphanScope.SYMBOL):
            result.foreign.append(label)
            return None
        order = _order_from(orphan, self.orders.trader_id, ts)
        if self.settings.orphan_policy is OrphanPolicy.ADOPT:
            self.orders.adopt(order)
            self.orders.changes.append(
                OrderChange(order, None, order.status, "adopted at reconciliation")
            )
            self.executor.track(order)
            result.adopted.append(label)
            return order
        await self._read(lambda: self.venue.cancel(order), f"cancel of orphan {label}")
        order.status = OrderStatus.CANCELED
        order.reason = "orphan canceled at reconciliation"
        self.orders.changes.append(OrderChange(order, None, order.status, order.reason))
        result.canceled.append(label)
        return None

    def _compare_balances(
        self, balances: dict[str, VenueBalance], result: ReconciliationResult
    ) -> None:
        for symbol in self.symbols:
            base = symbol.split("/", 1)[0]
            held = self.portfolio.quantity(symbol)
            balance = balances.get(base)
            available = balance.total if balance is not None else Decimal(0)
            if held > available:
                raise ReconciliationError(
                    f"the trader holds {held} {base} but the venue account has {available}"
                )
            if available != held:
                result.notes.append(f"venue holds {available} {base}; the trader holds {held}")


def _order_from(view: VenueOrder, trader_id: str, ts: datetime) -> Order:
    """An Order for a venue order we did not know; its fills are applied as they are read."""
    limit = view.order_type == "limit" and view.price is not None
    return Order(
        client_order_id=view.client_order_id or f"venue-{view.venue_order_id}",
        trader_id=trader_id,
        symbol=view.symbol,
        side=view.side,
        type=OrderType.LIMIT if limit else OrderType.MARKET,
        quantity=view.quantity,
        price=view.price if limit else None,
        status=OrderStatus.SUBMITTED,
        venue_order_id=view.venue_order_id,
        created_at=view.ts or ts,
        updated_at=ts,
    )

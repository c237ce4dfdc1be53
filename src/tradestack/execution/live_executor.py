"""LiveExecutor: sends orders to a LiveVenue under the rules that keep one order one order.

- A refusal (funds, invalid order, keys) makes the order REJECTED with the
  venue's reason; it is never retried.
- Reads (lookups, open orders, fills) are retried with bounded back-off on
  network errors and rate limits.
- A submit whose outcome is unknown (timeout, dropped connection) is never
  blindly resent: the order is IN_FLIGHT, the venue is asked for it by
  client_order_id, and it is resent (same id) only after the venue has said,
  ``absent_checks`` times, that it does not have it.
- A fill is applied once per venue trade id, however often it is reported.

Order transitions of the submit path go straight to the OrderManager; what
the venue did on its own (fills, cancellations, expiries) comes back from
``poll`` as a VenueUpdate, for the caller to apply with its portfolio.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tradestack.domain.enums import OrderStatus
from tradestack.domain.orders import Fill, Order
from tradestack.errors import (
    DuplicateClientOrderIdError,
    OrderRejectedError,
    VenueAuthenticationError,
    VenueError,
    VenueUnavailableError,
)
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.retry import RetryPolicy, with_retry
from tradestack.execution.venues.live import LiveVenue, VenueFill, VenueOrder, VenueOrderState
from tradestack.execution.venues.port import OrderNotice, VenueUpdate

log = logging.getLogger(__name__)
T = TypeVar("T")
FILL_LOOKBACK = timedelta(minutes=10)
_ENDINGS = {
    VenueOrderState.CANCELED: OrderStatus.CANCELED,
    VenueOrderState.EXPIRED: OrderStatus.EXPIRED,
    VenueOrderState.REJECTED: OrderStatus.REJECTED,
}


@dataclass(frozen=True, slots=True)
class ExecutorSettings:
    read_retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_submit_attempts: int = 2
    """Sends of one order at most: the first, and resends after confirmed absence."""
    absent_checks: int = 2
    """Lookups that must all answer "no such order" before a resend (venues lag)."""
    absent_recheck_delay_s: float = 0.5


class LiveExecutor:
    def __init__(
        self,
        venue: LiveVenue,
        orders: OrderManager,
        *,
        settings: ExecutorSettings | None = None,
        on_in_flight: Callable[[Order], Awaitable[None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.venue = venue
        self.orders = orders
        self.settings = settings or ExecutorSettings()
        self.on_in_flight = on_in_flight
        """Awaited after an order turns IN_FLIGHT and before it is sent: persist it there."""
        self.sleep = sleep
        self.seen_trade_ids: set[str] = set()
        self.late_fills: list[Fill] = []
        """Fills of orders already closed here (a cancel raced a fill): apply to positions."""
        self.attempts: dict[str, int] = {}
        self._by_venue_id: dict[str, Order] = {}
        self._closed: dict[str, Order] = {}
        self._sent_at: dict[str, datetime] = {}

    # -- orders of ours -----------------------------------------------------------------------

    def track(self, order: Order) -> None:
        """Know an order loaded from storage: its venue reports will map to it (never re-sent)."""
        self.venue.track(order)
        if order.venue_order_id:
            self._by_venue_id[order.venue_order_id] = order

    def remember_fills(self, trade_ids: set[str]) -> None:
        """Mark trade ids already applied (from storage) so a re-report changes nothing."""
        self.seen_trade_ids |= trade_ids

    async def submit(self, order: Order, ts: datetime) -> None:
        """Send a NEW order; it ends SUBMITTED, REJECTED, or IN_FLIGHT when the venue is silent."""
        self.orders.transition(order, OrderStatus.IN_FLIGHT, ts)
        if self.on_in_flight is not None:
            await self.on_in_flight(order)
        await self._send(order, ts)

    async def cancel(self, order: Order, ts: datetime, reason: str = "canceled") -> None:
        """Ask the venue to cancel; the order is CANCELED here once its fills are all in."""
        try:
            result = await with_retry(
                lambda: self.venue.cancel(order), self.settings.read_retry, "cancel"
            )
        except VenueError as error:
            log.error("cancel of %s failed: %s", order.client_order_id, error)
            return
        if result is None:
            self._end(order, OrderStatus.CANCELED, ts, f"{reason} (the venue never had it)")
        elif result.state is VenueOrderState.OPEN:
            log.warning("venue still shows %s open after cancel", order.client_order_id)
        elif result.filled_quantity <= order.filled_quantity:
            status = _ENDINGS.get(result.state)
            if status is not None:
                self._end(order, status, ts, reason)
        # otherwise fills are still to come: ``poll`` ends the order after applying them

    async def cancel_at_venue(self, order: Order) -> None:
        """Cancel at the venue an order the trader's core already closed; late fills count."""
        self._closed[order.client_order_id] = order
        try:
            await with_retry(lambda: self.venue.cancel(order), self.settings.read_retry, "cancel")
        except VenueError as error:
            log.error("cancel of %s failed: %s", order.client_order_id, error)

    async def resolve(self, order: Order, ts: datetime, *, allow_resend: bool) -> None:
        """Settle an IN_FLIGHT order by asking the venue for it; raise when it cannot be asked."""
        found = await self._lookup(order)
        if found is not None:
            self.record_seen(order, found, ts)
            return
        used = self.attempts.get(order.client_order_id, 0)
        if not allow_resend or used >= self.settings.max_submit_attempts:
            self._end(
                order,
                OrderStatus.REJECTED,
                ts,
                f"the venue does not have the order after {used} send(s); not resent",
            )
            return
        log.warning("venue confirms it lacks %s: resending it", order.client_order_id)
        await self._send(order, ts)

    # -- polling ------------------------------------------------------------------------------

    async def poll(self, symbol: str, ts: datetime) -> VenueUpdate:
        """Resolve IN_FLIGHT orders, collect new fills and venue-side endings for ``symbol``.

        Raises VenueUnavailableError when the venue cannot be read after retries;
        nothing is taken from a read that failed.
        """
        update = VenueUpdate()
        for order in self.orders.open_orders(symbol):
            if order.status is OrderStatus.IN_FLIGHT:
                try:
                    await self.resolve(order, ts, allow_resend=True)
                except VenueUnavailableError as error:
                    log.warning("%s still in flight: %s", order.client_order_id, error)
        working = [o for o in self.orders.open_orders(symbol) if o.status is not OrderStatus.NEW]
        if not working:
            return update
        since = self.fills_since(working)
        fills = await self._read(lambda: self.venue.fetch_fills(symbol, since), "fills")
        update.fills.extend(self.new_fills(fills))
        open_ids = {
            o.client_order_id
            for o in await self._read(lambda: self.venue.fetch_open_orders(symbol), "open orders")
        }
        for order in working:
            if order.status is OrderStatus.IN_FLIGHT or order.client_order_id in open_ids:
                continue
            await self._check_ended(order, update)
        return update

    def fills_since(self, orders: list[Order]) -> datetime:
        """Fills of ``orders`` are newer than the first send of the oldest (wall clock).

        Orders restored from storage count from their creation, bounded by now so
        that replayed or future-dated bars cannot hide fills.
        """
        now = datetime.now(UTC)
        starts = [self._sent_at.get(o.client_order_id, min(o.created_at, now)) for o in orders]
        return min(starts) - FILL_LOOKBACK

    def new_fills(self, reported: list[VenueFill]) -> list[Fill]:
        """Turn reported trades into Fills of ours, each trade id once; others are skipped."""
        fills = []
        for report in reported:
            if report.trade_id in self.seen_trade_ids:
                continue
            order = self._order_for(report)
            if order is None:
                continue
            self.seen_trade_ids.add(report.trade_id)
            fill = _to_fill(report, order)
            if order.client_order_id in self.orders.orders:
                fills.append(fill)
            else:
                self.late_fills.append(fill)
        return fills

    # -- internals ----------------------------------------------------------------------------

    async def _send(self, order: Order, ts: datetime) -> None:
        cid = order.client_order_id
        self.attempts[cid] = self.attempts.get(cid, 0) + 1
        self._sent_at.setdefault(cid, datetime.now(UTC))
        try:
            acknowledged = await self.venue.submit(order)
        except (OrderRejectedError, VenueAuthenticationError) as error:
            self._end(order, OrderStatus.REJECTED, ts, str(error))
            return
        except DuplicateClientOrderIdError:
            await self._resolve_quietly(order, ts, allow_resend=False)
            return
        except VenueError as error:
            log.warning("submit of %s has an unknown outcome: %s", cid, error)
            await self._resolve_quietly(order, ts, allow_resend=True)
            return
        self.record_seen(order, acknowledged, ts)

    async def _resolve_quietly(self, order: Order, ts: datetime, *, allow_resend: bool) -> None:
        try:
            await self.resolve(order, ts, allow_resend=allow_resend)
        except VenueUnavailableError as error:
            log.warning(
                "%s stays in flight: the venue cannot be asked (%s)", order.client_order_id, error
            )

    async def _lookup(self, order: Order) -> VenueOrder | None:
        """Return the venue's view of ``order``; None only after ``absent_checks`` denials."""
        for check in range(self.settings.absent_checks):
            if check:
                await self.sleep(self.settings.absent_recheck_delay_s)
            found = await self._read(lambda: self.venue.fetch_order_by_client_id(order), "lookup")
            if found is not None:
                return found
        return None

    async def _read(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        return await with_retry(call, self.settings.read_retry, what, self.sleep)

    def record_seen(self, order: Order, seen: VenueOrder, ts: datetime) -> None:
        """Record what the venue holds for an order we sent or found (IN_FLIGHT -> SUBMITTED)."""
        order.venue_order_id = seen.venue_order_id
        self._by_venue_id[seen.venue_order_id] = order
        unsent = order.status in (OrderStatus.NEW, OrderStatus.IN_FLIGHT)
        if seen.state is VenueOrderState.REJECTED and order.filled_quantity == 0:
            self._end(order, OrderStatus.REJECTED, ts, "rejected by the venue")
            return
        if unsent:
            ended = _ENDINGS.get(seen.state)
            if ended is OrderStatus.CANCELED and seen.filled_quantity == 0:
                self._end(order, ended, ts, "canceled by the venue")
                return
            self.orders.transition(order, OrderStatus.SUBMITTED, ts)

    async def _check_ended(self, order: Order, update: VenueUpdate) -> None:
        """An order no longer open at the venue: end it once every fill is applied."""
        seen = await self._read(lambda: self.venue.fetch_order_by_client_id(order), "lookup")
        if seen is None:
            log.error("venue has no record of working order %s", order.client_order_id)
            return
        cid = order.client_order_id
        pending = sum(f.quantity for f in update.fills if f.client_order_id == cid)
        if seen.filled_quantity > order.filled_quantity + pending:
            return  # its last fills are not reported yet
        status = _ENDINGS.get(seen.state)
        notice = OrderNotice(cid, f"{seen.state.value} at the venue")
        if status is OrderStatus.CANCELED:
            update.cancellations.append(notice)
        elif status is OrderStatus.EXPIRED:
            update.expirations.append(notice)
        elif status is OrderStatus.REJECTED:
            update.rejections.append(notice)

    def _end(self, order: Order, status: OrderStatus, ts: datetime, reason: str) -> None:
        self.orders.transition(order, status, ts, reason)
        self._closed[order.client_order_id] = order

    def _order_for(self, report: VenueFill) -> Order | None:
        cid = report.client_order_id
        order = self.orders.orders.get(cid) if cid else None
        if order is None and cid is not None:
            order = self._closed.get(cid)
        return order or self._by_venue_id.get(report.venue_order_id)


def _to_fill(report: VenueFill, order: Order) -> Fill:
    return Fill(
        trade_id=report.trade_id,
        client_order_id=order.client_order_id,
        trader_id=order.trader_id,
        symbol=order.symbol,
        side=report.side,
        quantity=report.quantity,
        price=report.price,
        fee=report.fee,
        fee_asset=report.fee_asset,
        ts=report.ts,
        liquidity=report.liquidity,
        position_side=order.position_side,
    )

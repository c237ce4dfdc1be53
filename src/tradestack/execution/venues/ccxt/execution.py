"""CcxtVenue: the LiveVenue port over one ccxt exchange (async_support), for one trader.

It speaks ccxt's unified API, sends our client_order_id (re-encoded to fit the
exchange, see ``exchanges``) with every order, maps the venue's reports back to
our ids, and raises only tradestack's errors. It decides nothing about retries:
that is the executor's job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import ccxt.async_support as ccxt

from tradestack.domain.enums import OrderType, TimeInForce
from tradestack.domain.orders import Order
from tradestack.errors import OrderRejectedError
from tradestack.execution.venues.ccxt.config import CcxtConfig
from tradestack.execution.venues.ccxt.errors import translated
from tradestack.execution.venues.ccxt.exchanges import ExchangeNotes
from tradestack.execution.venues.ccxt.parsing import to_balances, to_venue_fill, to_venue_order
from tradestack.execution.venues.live import (
    VenueBalance,
    VenueFill,
    VenueOrder,
    VenueOrderState,
)

log = logging.getLogger(__name__)
_SCAN_METHODS = ("fetchOpenOrders", "fetchClosedOrders", "fetchCanceledOrders")
_FILL_PAGE = 500
_FILL_PAGES = 20


class CcxtVenue:
    def __init__(
        self, exchange: Any, config: CcxtConfig, *, notes: ExchangeNotes, trader_id: str
    ) -> None:
        self.exchange = exchange
        self.config = config
        self.notes = notes
        self.trader_id = trader_id
        self.name = f"ccxt:{config.exchange_id}"
        self._ours: dict[str, str] = {}
        """venue client id -> our client_order_id"""
        self._by_venue_id: dict[str, str] = {}
        """venue order id -> our client_order_id"""

    async def connect(self) -> None:
        with translated():
            await self.exchange.load_markets()

    async def close(self) -> None:
        with translated():
            await self.exchange.close()

    def venue_client_id(self, client_order_id: str) -> str:
        return self.notes.client_id_format.encode(client_order_id)

    def track(self, order: Order) -> None:
        self._ours[self.venue_client_id(order.client_order_id)] = order.client_order_id
        if order.venue_order_id:
            self._by_venue_id[order.venue_order_id] = order.client_order_id

    async def submit(self, order: Order) -> VenueOrder:
        self.track(order)
        order_type, price, params = self._order_arguments(order)
        with translated():
            raw = await self.exchange.create_order(
                order.symbol,
                order_type,
                order.side.value.lower(),
                float(order.quantity),
                price,
                params,
            )
        return self._snapshot(raw, known=order.client_order_id)

    async def cancel(self, order: Order) -> VenueOrder | None:
        self.track(order)
        venue_order_id = order.venue_order_id
        if venue_order_id is None:
            found = await self.fetch_order_by_client_id(order)
            if found is None or found.state is not VenueOrderState.OPEN:
                return found
            venue_order_id = found.venue_order_id
        try:
            with translated():
                raw = await self._call_unless_missing(
                    lambda: self.exchange.cancel_order(venue_order_id, order.symbol)
                )
        except OrderRejectedError:
            raw = None
        if raw is None:  # not open any more: say how it ended, or that it never was
            return await self.fetch_order_by_client_id(order)
        return self._snapshot(raw, known=order.client_order_id)

    async def fetch_order_by_client_id(self, order: Order) -> VenueOrder | None:
        self.track(order)
        venue_client_id = self.venue_client_id(order.client_order_id)
        if self.notes.lookup == "fetch_order":
            params = {self.notes.lookup_param or "clientOrderId": venue_client_id}
            with translated():
                raw = await self._call_unless_missing(
                    lambda: self.exchange.fetch_order(order.venue_order_id, order.symbol, params)
                )
            return None if raw is None else self._snapshot(raw, order.client_order_id)
        return await self._scan_for(order, venue_client_id)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        with translated():
            raws = await self.exchange.fetch_open_orders(symbol)
        return [self._snapshot(raw) for raw in raws]

    async def fetch_fills(self, symbol: str, since: datetime | None = None) -> list[VenueFill]:
        """Return our trades on ``symbol`` since ``since``, window by window, page by page."""
        fills: dict[str, VenueFill] = {}
        for start, until in self._fill_windows(since):
            await self._fetch_fill_window(symbol, start, until, fills)
        return sorted(fills.values(), key=lambda fill: (fill.ts, fill.trade_id))

    def _fill_windows(self, since: datetime | None) -> list[tuple[int | None, int | None]]:
        hours = self.notes.fill_window_hours
        if since is None or hours is None:
            return [(int(since.timestamp() * 1000) if since else None, None)]
        step_ms = hours * 3_600_000
        start, now = int(since.timestamp() * 1000), int(time.time() * 1000)
        windows = []
        while start <= now:
            windows.append((start, min(start + step_ms - 1, now)))
            start += step_ms
        return windows

    async def _fetch_fill_window(
        self, symbol: str, start: int | None, until: int | None, fills: dict[str, VenueFill]
    ) -> None:
        cursor = start
        for _ in range(_FILL_PAGES):
            params = {"until": until} if until is not None else {}
            with translated():
                raws = await self.exchange.fetch_my_trades(symbol, cursor, _FILL_PAGE, params)
            new = 0
            for raw in raws:
                fill = to_venue_fill(raw, self._by_venue_id.get(str(raw.get("order"))))
                if fill.trade_id not in fills:
                    fills[fill.trade_id] = fill
                    new += 1
            if len(raws) < _FILL_PAGE or new == 0:
                return
            cursor = max(int(raw["timestamp"]) for raw in raws)

    async def fetch_balance(self) -> dict[str, VenueBalance]:
        with translated():
            raw = await self.exchange.fetch_balance()
        return to_balances(raw)

    # -- helpers -----------------------------------------------------------------------------

    async def _call_unless_missing(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Await ``call()``; None when the venue says the order does not exist."""
        try:
            return await call()
        except ccxt.OrderNotFound:
            return None

    async def _scan_for(self, order: Order, venue_client_id: str) -> VenueOrder | None:
        """List open, closed and canceled orders; None only when every listing answered."""
        params = {self.notes.lookup_param: venue_client_id} if self.notes.lookup_param else {}
        has = self.exchange.has
        for method in _SCAN_METHODS:
            if not has.get(method):
                continue
            call = getattr(self.exchange, _snake(method))
            with translated():
                raws = await call(order.symbol, None, None, params)
            for raw in raws:
                if raw.get("clientOrderId") == venue_client_id:
                    return self._snapshot(raw, order.client_order_id)
        return None

    def _snapshot(self, raw: dict[str, Any], known: str | None = None) -> VenueOrder:
        """Describe ``raw``; ``known`` is our id when we asked about one order of ours.

        A reply about a known order may carry another client id (binance answers a
        cancel with the cancel request's own id), so ``known`` wins over the reply.
        """
        venue_client_id = raw.get("clientOrderId")
        ours = known or (self._ours.get(venue_client_id) if venue_client_id else None)
        if ours is not None and raw.get("id") is not None:
            self._by_venue_id[str(raw["id"])] = ours
        owned = ours is not None or self.notes.client_id_format.owned_by(
            venue_client_id, self.trader_id
        )
        return to_venue_order(raw, ours or venue_client_id, owned)

    def _order_arguments(self, order: Order) -> tuple[str, float | None, dict[str, Any]]:
        """Return ccxt's (type, price, params) for ``order``; refuse what cannot be sent."""
        params: dict[str, Any] = {
            self.notes.client_id_param: self.venue_client_id(order.client_order_id)
        }
        kind = order.type
        if kind is OrderType.TRAILING_STOP:
            raise OrderRejectedError(f"trailing stops are not sent to {self.name}")
        if kind in (OrderType.STOP, OrderType.STOP_LIMIT):
            has = self.exchange.has
            if not (has.get("createStopOrder") or has.get("createTriggerOrder")):
                raise OrderRejectedError(f"{self.name} takes no stop orders")
            params["triggerPrice"] = float(order.stop_price or 0)
        limit = kind in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        if limit and order.time_in_force is not TimeInForce.GTC:
            params["timeInForce"] = order.time_in_force.value
        if order.post_only:
            params["postOnly"] = True
        if order.reduce_only and self.config.market_type != "spot":
            params["reduceOnly"] = True
        price = float(order.price) if limit and order.price is not None else None
        return ("limit" if limit else "market"), price, params


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)

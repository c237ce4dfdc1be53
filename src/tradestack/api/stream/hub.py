"""StreamHub: one bus subscription per channel, fanned out to every subscribed client.

Each event is encoded once and the same text is queued for every client that
wants it. A client's queue is bounded: when it is full, new messages for that
client are dropped and counted; a client that drops ``max_dropped`` messages
in a row (without catching up in between) is closed with the reason. The bus
handler never waits for a client, so one slow reader cannot slow the others
or the publisher, and memory stays bounded.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from tradestack.api.stream.protocol import ALL_SYMBOLS, CHANNELS, encode
from tradestack.auth.roles import Principal
from tradestack.bus.port import EventBus
from tradestack.domain.events import Event, EventType

log = logging.getLogger(__name__)
SLOW_CLIENT_CLOSE_CODE = 1008
"""Policy violation: the client did not read fast enough."""
GOING_AWAY_CLOSE_CODE = 1001


class StreamClient:
    """One connection's subscriptions, bounded outgoing queue and drop counters."""

    def __init__(
        self, *, queue_size: int, max_dropped: int, principal: Principal | None = None
    ) -> None:
        self.queue: deque[str] = deque()
        self.queue_size = queue_size
        self.max_dropped = max_dropped
        self.principal = principal
        self.subscriptions: set[tuple[str, str]] = set()
        self.dropped = 0
        self.sent = 0
        self.close_reason: str | None = None
        self.close_code = SLOW_CLIENT_CLOSE_CODE
        self.must_close = asyncio.Event()
        self._dropped_in_a_row = 0
        self._wake = asyncio.Event()

    def offer(self, text: str) -> None:
        """Queue a data frame, or drop and count it when the queue is full."""
        if self.close_reason is not None:
            return
        if len(self.queue) >= self.queue_size:
            self.dropped += 1
            self._dropped_in_a_row += 1
            if self._dropped_in_a_row >= self.max_dropped:
                self.close(f"too slow: {self.dropped} messages dropped")
            return
        self.queue.append(text)
        self._wake.set()

    def reply(self, message: dict[str, Any]) -> None:
        """Queue a control frame (ack, pong, error): never dropped, but bounded all the same."""
        if len(self.queue) >= 2 * self.queue_size:
            self.close("too slow: replies are not being read")
            return
        self.queue.append(encode(message))
        self._wake.set()

    def close(self, reason: str, code: int = SLOW_CLIENT_CLOSE_CODE) -> None:
        """Ask the connection to close with ``code`` and ``reason`` (cut to fit a close frame)."""
        if self.close_reason is None:
            self.close_reason = reason[:120]
            self.close_code = code
            self.must_close.set()

    async def pump(self, send: Callable[[str], Awaitable[None]]) -> None:
        """Send queued frames in order until cancelled; report drops once caught up."""
        queue = self.queue
        while True:
            await self._wake.wait()
            self._wake.clear()
            while queue:
                await send(queue.popleft())
                self.sent += 1
            if self._dropped_in_a_row:
                count, self._dropped_in_a_row = self._dropped_in_a_row, 0
                await send(encode({"type": "dropped", "count": count, "total": self.dropped}))


class StreamHub:
    """Owns the gateway's bus subscriptions and the set of connected clients."""

    def __init__(self, bus: EventBus, *, queue_size: int = 1_000, max_dropped: int = 200) -> None:
        self.bus = bus
        self.queue_size = queue_size
        self.max_dropped = max_dropped
        self.clients: set[StreamClient] = set()
        self.events_seen = 0
        self.dropped_total = 0
        self.closed_slow = 0
        self.running = False
        self._routes: dict[str, dict[str, set[StreamClient]]] = {c: {} for c in CHANNELS}
        # Unique per gateway process: every gateway must see every event (fan-out), not share.
        self.instance = uuid.uuid4().hex[:8]
        self._subscribed = False

    async def start(self) -> None:
        if not self._subscribed:
            for channel, pattern in CHANNELS.items():
                self.bus.subscribe(
                    pattern, self._handler(channel), group=f"gateway-{channel}-{self.instance}"
                )
            self._subscribed = True
        self.running = True

    async def stop(self) -> None:
        self.running = False
        for client in list(self.clients):
            client.close("server shutting down", GOING_AWAY_CLOSE_CODE)

    def new_client(self, principal: Principal | None) -> StreamClient:
        client = StreamClient(
            queue_size=self.queue_size, max_dropped=self.max_dropped, principal=principal
        )
        self.clients.add(client)
        return client

    def remove(self, client: StreamClient) -> None:
        for pair in list(client.subscriptions):
            self.unsubscribe(client, *pair)
        if client in self.clients:
            self.clients.discard(client)
            self.dropped_total += client.dropped
            if client.close_reason is not None and client.close_code == SLOW_CLIENT_CLOSE_CODE:
                self.closed_slow += 1

    def subscribe(self, client: StreamClient, channel: str, symbol: str) -> None:
        self._routes[channel].setdefault(symbol, set()).add(client)
        client.subscriptions.add((channel, symbol))

    def unsubscribe(self, client: StreamClient, channel: str, symbol: str) -> None:
        targets = self._routes[channel].get(symbol)
        if targets is not None:
            targets.discard(client)
            if not targets:
                del self._routes[channel][symbol]
        client.subscriptions.discard((channel, symbol))

    def stats(self) -> dict[str, Any]:
        return {
            "clients": len(self.clients),
            "events_seen": self.events_seen,
            "dropped": self.dropped_total + sum(c.dropped for c in self.clients),
            "closed_slow": self.closed_slow,
        }

    def _handler(self, channel: str) -> Callable[[Event], Awaitable[None]]:
        routes = self._routes[channel]

        async def handle(event: Event) -> None:
            if not self.running or not routes:
                return
            self.events_seen += 1
            symbol = symbol_of(event)
            exact = routes.get(symbol) if symbol is not None else None
            wildcard = routes.get(ALL_SYMBOLS)
            if not exact and not wildcard:
                return
            text = encode_event(channel, symbol, event)
            for targets in (exact, wildcard):
                if targets:
                    for client in tuple(targets):
                        if targets is wildcard and exact and client in exact:
                            continue  # subscribed both ways: deliver once
                        client.offer(text)

        return handle


def symbol_of(event: Event) -> str | None:
    """The symbol an event is about, whether its payload holds objects or plain dicts."""
    payload = event.payload
    for key in ("bar", "order", "position", "signal", "fill"):
        value = payload.get(key)
        if value is not None:
            found = (
                value.get("symbol") if isinstance(value, dict) else getattr(value, "symbol", None)
            )
            return found if isinstance(found, str) else None
    found = payload.get("symbol")
    return found if isinstance(found, str) else None


def encode_event(channel: str, symbol: str | None, event: Event) -> str:
    """Encode one data frame; bars get a compact shape, other events carry their payload."""
    if event.event_type == EventType.MARKET_BAR:
        bar = event.payload.get("bar")
        return encode(
            {"type": "bar", "channel": channel, "symbol": symbol, "ts": event.ts, "data": bar}
        )
    return encode(
        {
            "type": "event",
            "channel": channel,
            "event": event.event_type,
            "symbol": symbol,
            "trader_id": event.trader_id,
            "trace_id": event.trace_id,
            "ts": event.ts,
            "data": event.payload,
        }
    )

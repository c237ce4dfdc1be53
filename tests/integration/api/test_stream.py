"""The WebSocket stream on a real server: subscriptions, acks, auth, errors and slow readers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from bench.ws_client import connect as raw_connect

from tests.integration.api.conftest import QUIET_RUN, publish_next_bar
from tests.integration.api.server import LiveServer, live_server
from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.domain.market import Bar
from tradestack.marketdata.replay import bar_event


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with live_server(tmp_path, run=QUIET_RUN) as live:
        yield live


async def next_of(ws: Any, kind: str, timeout_s: float = 5.0) -> dict[str, Any]:
    """Return the next frame of type ``kind``, skipping others."""
    async with asyncio.timeout(timeout_s):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def test_subscribe_ack_bars_of_that_symbol_only_then_unsubscribe(server: LiveServer) -> None:
    async with websockets.connect(server.ws + "/ws/v1/stream") as ws:
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome" and "orders" in welcome["private_channels"]
        await ws.send(json.dumps({"action": "subscribe", "symbols": ["BTC-USDT"], "id": 7}))
        ack = await next_of(ws, "ack")
        assert ack["id"] == 7 and ack["subscriptions"] == ["bars:BTC/USDT"]

        other = Bar("ETH/USDT", "1m", (await publish_next_bar(server.kernel)).ts, 1, 1, 1, 1, 1)
        await server.kernel.bus.publish(bar_event(other))
        published = await publish_next_bar(server.kernel)
        frame = await next_of(ws, "bar")
        assert frame["symbol"] == "BTC/USDT" and frame["channel"] == "bars"
        frame = await next_of(ws, "bar")
        assert frame["data"]["ts"].startswith(published.ts.isoformat()[:19])

        await ws.send(json.dumps({"action": "unsubscribe", "symbols": ["BTC/USDT"]}))
        assert (await next_of(ws, "ack"))["subscriptions"] == []
        await publish_next_bar(server.kernel)
        await ws.send(json.dumps({"action": "ping", "id": "p"}))
        assert json.loads(await ws.recv()) == {"type": "pong", "id": "p"}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_message"),
        ('{"action": "dance"}', "unknown_action"),
        ('{"action": "subscribe", "channels": ["gossip"]}', "unknown_channel"),
        ('{"action": "subscribe", "symbols": []}', "invalid_message"),
        ('{"action": "auth"}', "invalid_message"),
    ],
)
async def test_a_malformed_message_gets_an_error_frame_and_the_connection_stays(
    server: LiveServer, message: str, code: str
) -> None:
    async with websockets.connect(server.ws + "/ws/v1/stream") as ws:
        await ws.send(message)
        error = await next_of(ws, "error")
        assert error["code"] == code and error["message"]
        await ws.send('{"action": "ping"}')
        assert (await next_of(ws, "pong"))["type"] == "pong"


async def test_private_channels_need_a_token_and_stream_order_events(server: LiveServer) -> None:
    _info, viewer = await create_token(server.kernel.db, name="watcher", role=Role.VIEWER)
    _info, trader = await create_token(server.kernel.db, name="alice", role=Role.TRADER)
    async with websockets.connect(server.ws + "/ws/v1/stream") as ws:
        await ws.send(json.dumps({"action": "subscribe", "channels": ["orders", "bars"]}))
        refused = await next_of(ws, "error")
        assert refused["code"] == "unauthorized" and "orders" in refused["message"]
        await ws.send(json.dumps({"action": "auth", "token": "ts_wrong"}))
        assert (await next_of(ws, "error"))["code"] == "unauthorized"
        await ws.send(json.dumps({"action": "auth", "token": viewer}))
        assert (await next_of(ws, "ack"))["role"] == "viewer"
        await ws.send(json.dumps({"action": "subscribe", "channels": ["orders", "positions"]}))
        await next_of(ws, "ack")

        async with httpx.AsyncClient(
            base_url=server.http, headers={"Authorization": f"Bearer {trader}"}
        ) as http:
            placed = await http.post(
                "/api/v1/orders",
                json={"trader_id": "default", "symbol": "BTC/USDT", "side": "BUY", "quantity": 0.1},
            )
        assert placed.status_code == 201
        event = await next_of(ws, "event")
        assert event["event"] == "order.submitted" and event["channel"] == "orders"
        assert event["data"]["order"]["client_order_id"] == placed.json()["client_order_id"]
        await publish_next_bar(server.kernel)
        events = {(await next_of(ws, "event"))["event"] for _ in range(2)}
        assert events == {"order.filled", "position.changed"}


async def test_an_invalid_token_at_connect_closes_with_4401(server: LiveServer) -> None:
    async with websockets.connect(server.ws + "/ws/v1/stream?token=ts_nope") as ws:
        assert json.loads(await ws.recv())["code"] == "unauthorized"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@pytest.mark.parametrize("path", ["/ws", "/ws/market-data"])
async def test_legacy_websocket_paths_are_marked_deprecated(server: LiveServer, path: str) -> None:
    async with websockets.connect(server.ws + path) as ws:
        assert ws.response.headers["Deprecation"] == "true"
        assert ws.response.headers["Link"] == '</ws/v1/stream>; rel="successor-version"'
        if path == "/ws/market-data":  # the old feed streams every symbol's bars at once
            assert (await next_of(ws, "ack"))["subscriptions"] == ["bars:*"]
            await publish_next_bar(server.kernel)
            assert (await next_of(ws, "bar"))["symbol"] == "BTC/USDT"


@pytest.mark.slow
async def test_a_client_that_never_reads_is_dropped_then_closed_with_a_reason(
    tmp_path: Path,
) -> None:
    api = {"ws_queue_size": 100, "ws_max_dropped": 100}
    async with live_server(tmp_path, run=QUIET_RUN, api=api) as server:
        path = "/ws/v1/stream?symbols=BTC/USDT&channels=bars"
        stuck = await raw_connect("127.0.0.1", server.port, path, receive_buffer=4096)
        stuck.pause()
        async with websockets.connect(server.ws + path, max_queue=None) as healthy:
            await next_of(healthy, "ack")
            bar = await publish_next_bar(server.kernel)
            # Enough to fill the kernel's socket buffers of the stuck reader and then its queue.
            events = [bar_event(bar) for _ in range(40_000)]
            for start in range(0, len(events), 100):
                await server.kernel.bus.publish_many(events[start : start + 100])
                await asyncio.sleep(0)
            received = 0
            async with asyncio.timeout(20):
                while received < len(events):
                    if json.loads(await healthy.recv())["type"] == "bar":
                        received += 1
            assert received == len(events)  # the slow reader cost the others nothing
        stuck.transport.resume_reading()  # type: ignore[union-attr]
        await asyncio.wait_for(stuck.closed, 10)
        assert stuck.close_code == 1008
        assert "too slow" in stuck.close_reason and "dropped" in stuck.close_reason
        assert stuck.messages < len(events)

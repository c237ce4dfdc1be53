"""The stream hub: fan-out by channel and symbol, bounded queues, drop counting and closing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from tradestack.api.stream.hub import StreamClient, StreamHub, symbol_of
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.events import Event
from tradestack.domain.market import Bar
from tradestack.marketdata.replay import bar_event

TS = datetime(2026, 1, 1, tzinfo=UTC)


def bar(symbol: str = "BTC/USDT") -> Event:
    return bar_event(Bar(symbol, "1m", TS, 1.0, 2.0, 0.5, 1.5, 10.0))


async def test_each_client_gets_its_symbols_once_even_when_subscribed_twice() -> None:
    bus = InMemoryBus()
    hub = StreamHub(bus)
    await hub.start()
    await bus.start()
    btc, everything = hub.new_client(None), hub.new_client(None)
    hub.subscribe(btc, "bars", "BTC/USDT")
    hub.subscribe(everything, "bars", "*")
    hub.subscribe(everything, "bars", "BTC/USDT")
    for event in (bar("BTC/USDT"), bar("ETH/USDT")):
        await bus.publish(event)
    await bus.close()
    assert [json.loads(m)["symbol"] for m in btc.queue] == ["BTC/USDT"]
    assert [json.loads(m)["symbol"] for m in everything.queue] == ["BTC/USDT", "ETH/USDT"]
    hub.remove(btc)
    assert btc not in hub.clients and not btc.subscriptions


async def test_a_full_queue_drops_counts_and_then_closes_with_the_reason() -> None:
    client = StreamClient(queue_size=3, max_dropped=5)
    for i in range(7):
        client.offer(str(i))
    assert list(client.queue) == ["0", "1", "2"] and client.dropped == 4
    assert client.close_reason is None
    client.offer("7")
    assert client.dropped == 5 and client.must_close.is_set()
    assert client.close_reason == "too slow: 5 messages dropped"
    client.offer("8")  # once closing, nothing more is queued or counted
    assert client.dropped == 5


async def test_a_reader_that_catches_up_is_told_how_many_it_missed() -> None:
    client = StreamClient(queue_size=2, max_dropped=10)
    sent: list[str] = []
    release = asyncio.Event()

    async def send(text: str) -> None:
        await release.wait()
        sent.append(text)

    pump = asyncio.create_task(client.pump(send))
    for i in range(5):
        client.offer(str(i))
    release.set()
    await asyncio.sleep(0.01)
    pump.cancel()
    assert sent[:2] == ["0", "1"]
    assert json.loads(sent[2]) == {"type": "dropped", "count": 3, "total": 3}
    assert client.close_reason is None


def test_symbol_of_reads_objects_and_plain_dicts() -> None:
    assert symbol_of(bar("ETH/USDT")) == "ETH/USDT"
    assert symbol_of(Event.create("order.filled", {"order": {"symbol": "SOL/USDT"}})) == "SOL/USDT"
    assert symbol_of(Event.create("alert.raised", {"message": "disk"})) is None

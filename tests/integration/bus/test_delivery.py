"""Conformance: delivery guarantees every adapter keeps (memory, Redis Streams, NATS JetStream)."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict

import pytest

from tests.integration.bus.conftest import BusHarness, wait_until
from tradestack.bus.idempotent import idempotent
from tradestack.domain.events import Event


def ticks(count: int, event_type: str = "tick", start: int = 0) -> list[Event]:
    return [Event.create(event_type, {"i": i}) for i in range(start, start + count)]


async def test_every_event_is_handled_at_least_once_and_exactly_once_when_idempotent(
    harness: BusHarness,
) -> None:
    publisher, consumer = harness.pair()
    deliveries: Counter[str] = Counter()
    handled_once: Counter[str] = Counter()

    async def record(event: Event) -> None:
        deliveries[event.event_id] += 1

    async def effect(event: Event) -> None:
        handled_once[event.event_id] += 1

    dedup = idempotent(effect, capacity=10_000)
    consumer.subscribe("tick", record, group="plain")
    consumer.subscribe("tick", dedup, group="effects")
    await consumer.start()
    await publisher.start()
    events = ticks(2_000)
    await publisher.publish_many(events)
    for event in ticks(100, start=2_000):
        events.append(event)
        await publisher.publish(event)
    await publisher.publish_many(events[:50])  # a publisher retrying a batch it thinks was lost
    ids = {e.event_id for e in events}
    await wait_until(lambda: set(deliveries) == ids and set(handled_once) == ids)
    await asyncio.sleep(0.2)  # let any duplicate arrive
    assert all(count >= 1 for count in deliveries.values())
    assert set(handled_once.values()) == {1}
    assert len(handled_once) == len(events) == 2_100


async def test_a_group_shares_work_and_separate_groups_each_get_everything(
    harness: BusHarness,
) -> None:
    bus = harness.make()
    seen: dict[str, list[int]] = defaultdict(list)

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(event: Event) -> None:
            seen[name].append(event.payload["i"])
            await asyncio.sleep(0)

        return handle

    bus.subscribe("tick", handler("a1"), group="a")
    bus.subscribe("tick", handler("a2"), group="a")
    bus.subscribe("tick", handler("b"), group="b")
    await bus.start()
    await bus.publish_many(ticks(1_000))
    await wait_until(lambda: len(seen["a1"]) + len(seen["a2"]) == 1_000 and len(seen["b"]) == 1_000)
    assert sorted(seen["a1"] + seen["a2"]) == list(range(1_000))
    assert seen["b"] == list(range(1_000))


async def test_patterns_match_types_including_ones_first_published_after_subscribing(
    harness: BusHarness,
) -> None:
    bus = harness.make()
    orders: list[str] = []
    everything: list[str] = []

    async def on_order(event: Event) -> None:
        orders.append(event.event_type)

    async def on_any(event: Event) -> None:
        everything.append(event.event_type)

    bus.subscribe("order.*", on_order, group="orders")
    bus.subscribe("*", on_any, group="audit")
    await bus.start()
    await bus.publish(Event.create("order.filled", {}))
    await bus.publish(Event.create("market.bar", {}))
    await asyncio.sleep(0.5)  # longer than a discovery round
    await bus.publish_many([Event.create("order.rejected", {}), Event.create("risk.breach", {})])
    await wait_until(lambda: len(orders) == 2 and len(everything) == 4)
    assert sorted(orders) == ["order.filled", "order.rejected"]
    assert sorted(everything) == ["market.bar", "order.filled", "order.rejected", "risk.breach"]


async def test_a_subscription_made_while_running_gets_later_events(harness: BusHarness) -> None:
    bus = harness.make()
    await bus.start()
    got: list[int] = []

    async def handle(event: Event) -> None:
        got.append(event.payload["i"])

    bus.subscribe("tick", handle, group="late")
    await asyncio.sleep(0.3)
    await bus.publish_many(ticks(10))
    await wait_until(lambda: len(got) == 10)
    assert got == list(range(10))


async def test_a_raising_handler_is_retried_then_dead_lettered_and_the_stream_flows(
    harness: BusHarness,
) -> None:
    bus = harness.make()
    attempts: Counter[int] = Counter()
    handled: list[int] = []

    async def flaky(event: Event) -> None:
        i = event.payload["i"]
        attempts[i] += 1
        if i == 3:
            raise RuntimeError(f"boom {i}")
        if i == 5 and attempts[i] == 1:
            raise ConnectionError("transient")
        handled.append(i)

    bus.subscribe("tick", flaky, group="flaky")
    await bus.start()
    events = ticks(20)
    await bus.publish_many(events)
    await wait_until(lambda: len(handled) == 19)
    await wait_until(lambda: attempts[3] == 3)
    letters: list = []

    async def dead_lettered() -> None:
        while not letters:
            letters.extend(await bus.dead_letters())
            await asyncio.sleep(0.05)

    await asyncio.wait_for(dead_lettered(), 5)
    assert sorted(handled) == [i for i in range(20) if i != 3]
    assert attempts[5] == 2
    [letter] = letters
    assert letter.event.event_id == events[3].event_id
    assert letter.group == "flaky"
    assert letter.error == "RuntimeError: boom 3"
    assert letter.deliveries == 3
    await bus.publish(Event.create("tick", {"i": 99}))
    await wait_until(lambda: 99 in handled)


async def test_events_of_one_trader_reach_a_consumer_in_publish_order(harness: BusHarness) -> None:
    publisher, consumer = harness.pair()
    by_trader: dict[str, list[int]] = defaultdict(list)

    async def handle(event: Event) -> None:
        assert event.trader_id is not None
        by_trader[event.trader_id].append(event.payload["seq"])

    consumer.subscribe("order.filled", handle, group="ordered")
    await consumer.start()
    await publisher.start()
    traders = [f"trader-{n}" for n in range(5)]
    sequence = [0] * len(traders)
    for round_ in range(40):
        batch = []
        for n in range(len(traders)):
            if (round_ + n) % 3 != 0:
                batch.append(
                    Event.create("order.filled", {"seq": sequence[n]}, trader_id=traders[n])
                )
                sequence[n] += 1
        if round_ % 2:
            await publisher.publish_many(batch)
        else:
            for event in batch:
                await publisher.publish(event)
    total = sum(sequence)
    await wait_until(lambda: sum(len(v) for v in by_trader.values()) == total)
    for n, trader in enumerate(traders):
        assert by_trader[trader] == list(range(sequence[n]))


async def test_health_reports_connection_and_lag_per_group(harness: BusHarness) -> None:
    bus = harness.make()

    async def handle(_event: Event) -> None:
        return None

    bus.subscribe("tick", handle, group="watched")
    await bus.start()
    await bus.publish_many(ticks(5))
    await asyncio.sleep(0.5)
    health = bus.health()
    assert health["adapter"] == harness.kind
    assert health["connected"] is True
    group = health["groups"]["watched"]
    assert group["lag"] == 0 and group["pending"] == 0
    assert group["handled"] == 5


async def test_close_lets_an_in_flight_handler_finish(harness: BusHarness) -> None:
    bus = harness.make()
    started = asyncio.Event()
    finished: list[str] = []

    async def slow(event: Event) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.append(event.event_id)

    bus.subscribe("tick", slow, group="slow")
    await bus.start()
    [event] = ticks(1)
    await bus.publish(event)
    await asyncio.wait_for(started.wait(), 5)
    await bus.close()
    assert finished == [event.event_id]


async def test_a_durable_pattern_group_keeps_events_of_new_types_while_it_is_down(
    harness: BusHarness,
) -> None:
    if harness.kind == "memory":
        pytest.skip("in-process bus keeps no groups once closed")
    got: list[str] = []

    async def handle(event: Event) -> None:
        got.append(event.event_type)

    first = harness.make()
    first.subscribe("alert.*", handle, group="alerts")
    await first.start()
    await first.close()
    publisher = harness.make()
    await publisher.start()
    await publisher.publish(Event.create("alert.raised", {}))
    await publisher.publish_many([Event.create("alert.cleared", {})])
    second = harness.make()
    second.subscribe("alert.*", handle, group="alerts")
    await second.start()
    await wait_until(lambda: len(got) == 2)
    assert sorted(got) == ["alert.cleared", "alert.raised"]

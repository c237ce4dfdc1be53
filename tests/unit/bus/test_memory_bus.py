import asyncio

import pytest

from tradestack.bus.codec import decode_event, encode_event
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.events import Event
from tradestack.errors import BusTimeoutError, RemoteCallError


async def test_subscribers_get_matching_events_by_type_and_pattern() -> None:
    bus = InMemoryBus()
    seen: dict[str, list[str]] = {"exact": [], "glob": []}

    async def exact(event: Event) -> None:
        seen["exact"].append(event.event_type)

    async def glob(event: Event) -> None:
        seen["glob"].append(event.event_type)

    bus.subscribe("order.filled", exact)
    bus.subscribe("order.*", glob)
    await bus.start()
    for event_type in ("order.filled", "order.rejected", "market.bar"):
        await bus.publish(Event.create(event_type, {}))
    await bus.close()
    assert seen == {"exact": ["order.filled"], "glob": ["order.filled", "order.rejected"]}


async def test_a_group_shares_work_and_separate_groups_each_get_everything() -> None:
    bus = InMemoryBus()
    counts = {"a1": 0, "a2": 0, "b": 0}

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(_event: Event) -> None:
            counts[name] += 1
            await asyncio.sleep(0)

        return handle

    bus.subscribe("tick", handler("a1"), group="a")
    bus.subscribe("tick", handler("a2"), group="a")
    bus.subscribe("tick", handler("b"), group="b")
    await bus.start()
    await bus.publish_many([Event.create("tick", {"i": i}) for i in range(100)])
    await bus.close()
    assert counts["a1"] + counts["a2"] == 100
    assert counts["a1"] > 0 and counts["a2"] > 0
    assert counts["b"] == 100


async def test_a_failing_handler_does_not_stop_the_stream() -> None:
    bus = InMemoryBus()
    handled: list[int] = []

    async def flaky(event: Event) -> None:
        if event.payload["i"] == 3:
            raise RuntimeError("boom")
        handled.append(event.payload["i"])

    bus.subscribe("x", flaky, group="g")
    await bus.start()
    await bus.publish_many([Event.create("x", {"i": i}) for i in range(6)])
    await bus.close()
    assert handled == [0, 1, 2, 4, 5]
    assert bus.health()["groups"]["g"]["failed"] == 1


async def test_publish_waits_when_a_queue_is_full() -> None:
    bus = InMemoryBus(queue_size=2)
    release = asyncio.Event()

    async def slow(_event: Event) -> None:
        await release.wait()

    bus.subscribe("x", slow)
    await bus.start()
    for _ in range(3):  # one in the handler, two queued
        await bus.publish(Event.create("x", {}))
    blocked = asyncio.create_task(bus.publish(Event.create("x", {})))
    await asyncio.sleep(0.05)
    assert not blocked.done()
    release.set()
    await asyncio.wait_for(blocked, 1)
    await bus.close()


async def test_request_reply_returns_result_and_maps_errors() -> None:
    bus = InMemoryBus()

    async def add(params: dict[str, int]) -> dict[str, int]:
        return {"sum": params["a"] + params["b"]}

    async def broken(_params: dict[str, int]) -> dict[str, int]:
        raise ValueError("bad input")

    bus.serve("calc", "add", add)  # type: ignore[arg-type]
    bus.serve("calc", "broken", broken)  # type: ignore[arg-type]
    await bus.start()
    assert await bus.call("calc", "add", {"a": 2, "b": 3}) == {"sum": 5}
    with pytest.raises(RemoteCallError, match="bad input"):
        await bus.call("calc", "broken", {})
    with pytest.raises(BusTimeoutError):
        await bus.call("nobody", "add", {}, timeout_s=0.05)
    await bus.close()


def test_codec_round_trips_an_event() -> None:
    event = Event.create("order.filled", {"qty": "1.5", "n": 3}, trader_id="alice")
    decoded = decode_event(encode_event(event))
    assert decoded == event

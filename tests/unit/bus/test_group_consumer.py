"""The delivery engine's rules, over a scripted transport and over the memory bus."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Sequence

import pytest

from tradestack.bus.delivery import RetryPolicy
from tradestack.bus.group_consumer import Delivery, GroupConsumer
from tradestack.bus.memory import InMemoryBus
from tradestack.bus.port import DeadLetter
from tradestack.domain.events import Event

POLICY = RetryPolicy(max_deliver=3, backoff_s=0.01, max_backoff_s=0.02)


class ScriptedTransport:
    """Hands out scripted batches and records how the engine settled them."""

    def __init__(self, batches: list[list[Delivery[int]]], *, redelivers: bool) -> None:
        self.redelivers = redelivers
        self.batches = deque(batches)
        self.errors: deque[Exception] = deque()
        self.recoverable = True
        self.acked: list[int] = []
        self.naked: list[tuple[int, float]] = []
        self.letters: list[tuple[int, DeadLetter]] = []
        self.released: list[int] = []
        self.recovered: list[Exception] = []
        self.drained = asyncio.Event()
        self.closed = False

    async def fetch(self) -> list[Delivery[int]]:
        if self.errors:
            raise self.errors.popleft()
        if self.batches:
            return self.batches.popleft()
        self.drained.set()
        await asyncio.sleep(0.01)
        return []

    async def settle(
        self,
        acks: list[Delivery[int]],
        naks: list[tuple[Delivery[int], float]],
        letters: list[tuple[Delivery[int], DeadLetter]],
    ) -> None:
        self.acked += [receipt for _e, _d, receipt in acks]
        self.naked += [(receipt, delay) for (_e, _d, receipt), delay in naks]
        self.letters += [(receipt, letter) for (_e, _d, receipt), letter in letters]

    async def release(self, deliveries: Sequence[Delivery[int]]) -> None:
        self.released += [receipt for _e, _d, receipt in deliveries]

    def wake(self) -> None:
        return None

    async def recover(self, error: Exception) -> bool:
        self.recovered.append(error)
        return self.recoverable

    async def close(self) -> None:
        self.closed = True


def deliveries(*counts: int) -> list[Delivery[int]]:
    return [(Event.create("tick", {"i": i}), count, i) for i, count in enumerate(counts)]


async def consume(
    transport: ScriptedTransport, fail: dict[int, int], policy: RetryPolicy = POLICY
) -> tuple[GroupConsumer[int], Counter[int]]:
    """Run the batches through a handler failing ``fail[i]`` times on event ``i``."""
    attempts: Counter[int] = Counter()

    async def handler(event: Event) -> None:
        i = event.payload["i"]
        attempts[i] += 1
        if attempts[i] <= fail.get(i, 0):
            raise RuntimeError(f"boom {i}.{attempts[i]}")

    consumer: GroupConsumer[int] = GroupConsumer(
        group="g", pattern="tick", handler=handler, transport=transport, retry=policy
    )
    consumer.start()
    await asyncio.wait_for(transport.drained.wait(), 5)
    await consumer.stop()
    return consumer, attempts


async def test_without_redelivery_a_failed_event_is_retried_in_place_in_order() -> None:
    transport = ScriptedTransport([deliveries(1, 1, 1)], redelivers=False)
    consumer, attempts = await consume(transport, {1: 2})
    assert transport.acked == [0, 1, 2]  # the retried event settled in its place
    assert attempts == Counter({0: 1, 1: 3, 2: 1})
    assert (consumer.handled, consumer.retried, consumer.dead_lettered) == (3, 2, 0)
    assert transport.closed


async def test_without_redelivery_the_last_error_is_dead_lettered_after_max_deliver() -> None:
    transport = ScriptedTransport([deliveries(1, 1)], redelivers=False)
    consumer, attempts = await consume(transport, {0: 99})
    assert attempts[0] == 3
    [(receipt, letter)] = transport.letters
    assert receipt == 0
    assert (letter.error, letter.deliveries, letter.group) == ("RuntimeError: boom 0.3", 3, "g")
    assert transport.acked == [1]
    assert consumer.dead_lettered == 1


async def test_with_redelivery_a_failure_is_naked_with_a_growing_delay() -> None:
    transport = ScriptedTransport([deliveries(1, 2)], redelivers=True)
    consumer, attempts = await consume(transport, {0: 1, 1: 1})
    assert transport.naked == [(0, POLICY.delay_s(1)), (1, POLICY.delay_s(2))]
    assert POLICY.delay_s(2) > POLICY.delay_s(1)
    assert attempts == Counter({0: 1, 1: 1})  # the broker brings them back, not the engine
    assert consumer.retried == 2


async def test_with_redelivery_the_max_deliver_th_failure_is_dead_lettered_not_naked() -> None:
    transport = ScriptedTransport([deliveries(3)], redelivers=True)
    _consumer, _attempts = await consume(transport, {0: 1})
    assert transport.naked == []
    [(_receipt, letter)] = transport.letters
    assert (letter.error, letter.deliveries) == ("RuntimeError: boom 0.1", 3)


@pytest.mark.parametrize("redelivers", [False, True])
async def test_an_event_delivered_past_the_limit_is_dead_lettered_without_running(
    redelivers: bool,
) -> None:
    transport = ScriptedTransport([deliveries(4, 1)], redelivers=redelivers)
    _consumer, attempts = await consume(transport, {})
    assert attempts == Counter({1: 1})
    [(receipt, letter)] = transport.letters
    assert receipt == 0
    assert letter.deliveries == 3
    assert "not acknowledged after 3 deliveries" in letter.error


async def test_a_reclaimed_event_gets_only_the_deliveries_it_has_left() -> None:
    transport = ScriptedTransport([deliveries(2)], redelivers=False)
    _consumer, attempts = await consume(transport, {0: 99})
    assert attempts[0] == 2  # delivery 2 and 3 of 3: the first went to a consumer that died
    assert transport.letters[0][1].deliveries == 3


@pytest.mark.parametrize(
    ("redelivers", "handled", "released"), [(True, [0], [1, 2]), (False, [0, 1, 2], [])]
)
async def test_stopping_hands_back_the_rest_of_a_batch_only_to_a_redelivering_broker(
    redelivers: bool, handled: list[int], released: list[int]
) -> None:
    transport = ScriptedTransport([deliveries(1, 1, 1)], redelivers=redelivers)
    started = asyncio.Event()
    seen: list[int] = []

    async def handler(event: Event) -> None:
        started.set()
        await asyncio.sleep(0.05)
        seen.append(event.payload["i"])

    consumer: GroupConsumer[int] = GroupConsumer(
        group="g", pattern="tick", handler=handler, transport=transport, retry=POLICY
    )
    consumer.start()
    await asyncio.wait_for(started.wait(), 5)
    await consumer.stop()
    assert seen == handled
    assert transport.acked == handled
    assert transport.released == released


async def test_transport_errors_are_recovered_or_end_the_consumer() -> None:
    transport = ScriptedTransport([deliveries(1)], redelivers=False)
    transport.errors.append(ConnectionError("lost"))
    _consumer, attempts = await consume(transport, {})
    assert [str(e) for e in transport.recovered] == ["lost"]
    assert attempts[0] == 1

    broken = ScriptedTransport([], redelivers=False)
    broken.recoverable = False
    broken.errors.append(ValueError("not mine"))
    consumer: GroupConsumer[int] = GroupConsumer(
        group="g", pattern="tick", handler=lambda _e: asyncio.sleep(0), transport=broken,
        retry=POLICY,
    )  # fmt: skip
    consumer.start()
    assert consumer.task is not None
    with pytest.raises(ValueError, match="not mine"):
        await asyncio.wait_for(consumer.task, 5)


async def test_the_memory_bus_retries_in_place_then_dead_letters_with_the_error() -> None:
    bus = InMemoryBus(retry=POLICY)
    attempts: Counter[int] = Counter()
    handled: list[int] = []

    async def flaky(event: Event) -> None:
        i = event.payload["i"]
        attempts[i] += 1
        if i == 1 or (i == 2 and attempts[i] < 3):
            raise RuntimeError(f"boom {i}")
        handled.append(i)

    bus.subscribe("tick", flaky, group="flaky")
    await bus.start()
    await bus.publish_many([Event.create("tick", {"i": i}) for i in range(4)])
    await bus.close()
    assert handled == [0, 2, 3]  # order kept: 2 was retried where it stood
    assert attempts == Counter({0: 1, 1: 3, 2: 3, 3: 1})
    [letter] = await bus.dead_letters()
    assert (letter.error, letter.deliveries, letter.group) == ("RuntimeError: boom 1", 3, "flaky")
    group = bus.health()["groups"]["flaky"]
    assert (group["handled"], group["failed"], group["retried"]) == (3, 1, 4)

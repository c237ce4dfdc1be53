import asyncio

import pytest

from tradestack.bus.idempotent import SeenIds, idempotent
from tradestack.domain.events import Event


async def test_each_event_id_is_handled_once() -> None:
    calls: list[str] = []

    async def handle(event: Event) -> None:
        calls.append(event.event_id)

    handler = idempotent(handle)
    first, second = Event.create("x", {}), Event.create("x", {})
    for event in (first, second, first, first, second):
        await handler(event)
    assert calls == [first.event_id, second.event_id]
    assert handler.duplicates == 3


async def test_a_failed_attempt_does_not_count_as_handled() -> None:
    attempts = 0

    async def flaky(_event: Event) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("first try fails")

    handler = idempotent(flaky)
    event = Event.create("x", {})
    with pytest.raises(RuntimeError):
        await handler(event)
    await handler(event)
    await handler(event)
    assert attempts == 2


async def test_a_duplicate_arriving_during_handling_is_skipped() -> None:
    release = asyncio.Event()
    calls = 0

    async def slow(_event: Event) -> None:
        nonlocal calls
        calls += 1
        await release.wait()

    handler = idempotent(slow)
    event = Event.create("x", {})
    first = asyncio.create_task(handler(event))
    await asyncio.sleep(0)
    await handler(event)
    release.set()
    await first
    assert calls == 1


def test_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    seen = SeenIds(capacity=3)
    for event_id in "abcd":
        seen.add(event_id)
    assert len(seen) == 3
    assert "a" not in seen and "d" in seen

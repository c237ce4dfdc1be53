"""Proof: a consumer process killed with SIGKILL mid-stream loses nothing once another joins."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
from asyncio.subprocess import Process
from pathlib import Path

import pytest

from tests.integration.bus.conftest import BusHarness, wait_until
from tradestack.domain.events import Event

CONSUMER = Path(__file__).with_name("consumer_process.py")
TOTAL = 100_000
KILL_AFTER = 20_000


def digest(ids: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def handled_ids(*files: Path) -> tuple[set[str], int]:
    ids: set[str] = set()
    lines = 0
    for path in files:
        if path.exists():
            for line in path.read_text().splitlines():
                if len(line) == 32:  # a torn last line of a killed writer is not an id
                    ids.add(line)
                    lines += 1
    return ids, lines


async def spawn_consumer(harness: BusHarness, group: str, output: Path) -> Process:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, str(CONSUMER), harness.kind, str(harness.url), harness.namespace),
        *(group, str(output), "1.0"),
        stdout=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("TRADESTACK_")},
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 20)
    assert line.strip() == b"ready", f"consumer did not start: {line!r}"
    return process


@pytest.mark.slow
async def test_a_killed_consumer_process_loses_no_event(
    harness: BusHarness, tmp_path: Path
) -> None:
    if harness.kind == "memory":
        pytest.skip("in-process bus has no separate consumer process")
    first_out, second_out = tmp_path / "first.ids", tmp_path / "second.ids"
    publisher = harness.make()
    await publisher.start()
    first = await spawn_consumer(harness, "crash", first_out)
    second: Process | None = None
    try:
        types = ["load.a", "load.b", "load.c"]
        events = [Event.create(types[i % 3], {"i": i, "pad": "x" * 64}) for i in range(TOTAL)]

        async def publish_all() -> None:
            for start in range(0, TOTAL, 2_000):
                await publisher.publish_many(events[start : start + 2_000])

        publishing = asyncio.create_task(publish_all())
        await wait_until(lambda: size(first_out) >= KILL_AFTER * 33, timeout_s=30)
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), 10)
        handled_by_first, _ = handled_ids(first_out)
        assert len(handled_by_first) < TOTAL, "the consumer finished before it was killed"
        second = await spawn_consumer(harness, "crash", second_out)
        await asyncio.wait_for(publishing, 60)
        expected = {e.event_id for e in events}
        await wait_until(
            lambda: handled_ids(first_out, second_out)[0] >= expected, timeout_s=30, interval_s=0.25
        )
        handled, deliveries = handled_ids(first_out, second_out)
        assert len(handled) == TOTAL
        assert digest(handled) == digest(expected)
        assert deliveries >= TOTAL  # at-least-once: redeliveries of in-flight events allowed
        print(
            f"{harness.kind}: first consumer handled {len(handled_by_first):,} before SIGKILL, "
            f"{deliveries - TOTAL:,} redelivered, all {TOTAL:,} accounted for"
        )
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await asyncio.wait_for(process.wait(), 10)

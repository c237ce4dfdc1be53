"""Proof: ``migrate bus`` moves every unacknowledged event to the new bus and drains the old."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from tests.integration.bus.conftest import (
    URLS,
    bus_options,
    delete_namespace,
    require_broker,
    wait_until,
)
from tradestack.bus.factory import BusKind, build_bus_admin, build_bus_for
from tradestack.bus.migration import migrate
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event
from tradestack.errors import BusMigrationError

PAIRS = [
    pytest.param("redis", "nats", id="redis-to-nats"),
    pytest.param("nats", "redis", id="nats-to-redis"),
]


async def noop(_event: Event) -> None:
    return None


async def fill_source(kind: BusKind, options: BusSettings) -> dict[str, set[str]]:
    """Leave groups with work undone; return the event ids each group still needs."""
    url = URLS[kind]
    setup = build_bus_for(kind, url, options)
    setup.subscribe("order.*", noop, group="orders")
    setup.subscribe("market.bar", noop, group="bars")
    await setup.start()
    await setup.close()  # both groups exist, no consumer runs
    publisher = build_bus_for(kind, url, options)
    await publisher.start()
    handled_bars: list[str] = []

    async def count(event: Event) -> None:
        handled_bars.append(event.event_id)

    early_bars = [Event.create("market.bar", {"i": i}) for i in range(40)]
    await publisher.publish_many(early_bars)
    consumer = build_bus_for(kind, url, options)
    consumer.subscribe("market.bar", count, group="bars")
    await consumer.start()
    await wait_until(lambda: len(handled_bars) == 40)
    await consumer.close()
    later = [
        Event.create(event_type, {"i": i}, trader_id=f"t{i % 3}")
        for i in range(60)
        for event_type in ("order.filled", "order.rejected", "market.bar")
    ]
    await publisher.publish_many(later)
    await publisher.close()
    needed: dict[str, set[str]] = defaultdict(set)
    for event in later:
        needed["orders" if event.event_type.startswith("order.") else "bars"].add(event.event_id)
    return needed


async def drain_target(kind: BusKind, options: BusSettings, expected: int) -> dict[str, set[str]]:
    got: dict[str, set[str]] = defaultdict(set)

    def recorder(group: str):  # type: ignore[no-untyped-def]
        async def record(event: Event) -> None:
            got[group].add(event.event_id)

        return record

    bus = build_bus_for(kind, URLS[kind], options)
    bus.subscribe("order.*", recorder("orders"), group="orders")
    bus.subscribe("market.bar", recorder("bars"), group="bars")
    await bus.start()
    try:
        await wait_until(lambda: sum(len(v) for v in got.values()) >= expected)
        await asyncio.sleep(0.3)
    finally:
        await bus.close()
    return got


@pytest.fixture
async def namespace() -> str:
    return f"m{uuid.uuid4().hex[:10]}"


@pytest.mark.services
@pytest.mark.parametrize(("source", "target"), PAIRS)
async def test_migration_moves_every_unacknowledged_event_and_drains_the_source(
    source: BusKind, target: BusKind, namespace: str
) -> None:
    require_broker(source, URLS[source])
    require_broker(target, URLS[target])
    options = bus_options(namespace)
    try:
        needed = await fill_source(source, options)
        source_admin = build_bus_admin(source, URLS[source], options)
        target_admin = build_bus_admin(target, URLS[target], options)
        await source_admin.open()
        await target_admin.open()
        try:
            report = await migrate(
                source_admin,
                target_admin,
                build_bus_for(target, URLS[target], options),
                settle_s=0.2,
            )
            after = await source_admin.backlog()
        finally:
            await source_admin.close()
            await target_admin.close()
        rows = {row.group: row for row in report.groups}
        assert report.complete
        assert report.events == 180
        assert report.source_checksum == report.target_checksum
        assert rows["orders"].source_before == 120 and rows["orders"].target_after == 120
        assert rows["bars"].source_before == 60 and rows["bars"].target_after == 60
        assert all(g.event_ids == frozenset() for g in after.groups)
        got = await drain_target(target, options, expected=180)
        assert got["orders"] == needed["orders"]
        assert got["bars"] == needed["bars"]
    finally:
        await delete_namespace(source, URLS[source], namespace)
        await delete_namespace(target, URLS[target], namespace)


@pytest.mark.services
async def test_migration_refuses_while_the_source_still_receives_events(namespace: str) -> None:
    require_broker("redis", URLS["redis"])
    require_broker("nats", URLS["nats"])
    options = bus_options(namespace)
    publisher = build_bus_for("redis", URLS["redis"], options)
    await publisher.start()
    stop = asyncio.Event()

    async def keep_publishing() -> None:
        while not stop.is_set():
            await publisher.publish(Event.create("order.filled", {}))
            await asyncio.sleep(0.01)

    task = asyncio.create_task(keep_publishing())
    source_admin = build_bus_admin("redis", URLS["redis"], options)
    target_admin = build_bus_admin("nats", URLS["nats"], options)
    await source_admin.open()
    await target_admin.open()
    try:
        with pytest.raises(BusMigrationError, match="still being published"):
            await migrate(
                source_admin,
                target_admin,
                build_bus_for("nats", URLS["nats"], options),
                settle_s=0.2,
            )
    finally:
        stop.set()
        await task
        await publisher.close()
        await source_admin.close()
        await target_admin.close()
        await delete_namespace("redis", URLS["redis"], namespace)
        await delete_namespace("nats", URLS["nats"], namespace)


@pytest.mark.services
@pytest.mark.e2e
async def test_migrate_bus_command_prints_both_sides_and_switches_the_config(
    namespace: str, tmp_path: Path
) -> None:
    require_broker("redis", URLS["redis"])
    require_broker("nats", URLS["nats"])
    options = bus_options(namespace)
    config = tmp_path / "tradestack.yaml"
    config.write_text(
        f"config_version: 2\n# the bus\nevent_bus: redis\nbus_url: {URLS['redis']}\n"
        f"bus:\n  namespace: {namespace}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADESTACK_")}
    env["TRADESTACK_HOME"] = str(tmp_path)
    try:
        await fill_source("redis", options)
        result = await asyncio.to_thread(
            subprocess.run,
            [
                *(sys.executable, "-m", "tradestack.cli", "migrate", "bus", "--to", "nats"),
                *("--to-url", str(URLS["nats"]), "--settle-s", "0.2", "--config", str(config)),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "nothing lost" in out
        assert "orders" in out and "120" in out and "60" in out
        text = config.read_text()
        assert "event_bus: nats" in text and f"bus_url: {URLS['nats']}" in text
        assert "# the bus" in text
        assert (tmp_path / "tradestack.yaml.bak").read_text().count("event_bus: redis") == 1
        got = await drain_target("nats", options, expected=180)
        assert len(got["orders"]) == 120 and len(got["bars"]) == 60
    finally:
        await delete_namespace("redis", URLS["redis"], namespace)
        await delete_namespace("nats", URLS["nats"], namespace)

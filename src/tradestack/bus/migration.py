"""Move a bus's unfinished work to another bus and prove that nothing was lost.

What must move is every event some durable group has not acknowledged yet
(pending or not yet delivered). Events every group has finished are history
and stay behind; anonymous groups belong to processes that are gone.

The steps, each refusing to go on when something does not add up:

1. the source must be quiet: its stream positions do not move for ``settle_s``
   (the services are stopped; nothing else publishes);
2. read each group's backlog on the source, and the union of those events;
3. create the groups on the target first (positioned before the copy), then
   publish the union there with the same ``event_id`` s;
4. read the groups' backlogs on the target: every event each group lacked on
   the source must be waiting for it on the target (a group may also see
   events it had already handled: idempotent handlers skip them);
5. only then mark the source groups as done, and read them again: zero.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from tradestack.bus.port import EventBus
from tradestack.domain.events import Event
from tradestack.errors import BusMigrationError


@dataclass(frozen=True, slots=True)
class GroupBacklog:
    """The events a durable group has not acknowledged, by ``event_id``."""

    group: str
    pattern: str
    event_ids: frozenset[str]
    lost_before_read: int = 0  # pending entries the broker had already trimmed


@dataclass(frozen=True, slots=True)
class Backlog:
    groups: list[GroupBacklog]
    events: list[Event]  # the union, in publish order, each event once


class BusAdmin(Protocol):
    """Inspection and bookkeeping a broker adapter offers to ``migrate bus``."""

    description: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def position(self) -> str:
        """Return a marker that changes whenever anything is published."""
        ...

    async def backlog(self) -> Backlog: ...

    async def prepare(self, groups: Iterable[tuple[str, str]], event_types: set[str]) -> None:
        """Create ``(group, pattern)`` so that events published from now on reach them."""
        ...

    async def mark_consumed(self) -> None:
        """Acknowledge everything the last ``backlog`` call saw, for every group."""
        ...


@dataclass(frozen=True, slots=True)
class GroupReport:
    group: str
    pattern: str
    source_before: int
    target_after: int
    missing: int
    source_after: int
    lost_before_read: int


@dataclass(slots=True)
class MigrationReport:
    source: str
    target: str
    events: int = 0
    source_checksum: str = ""
    target_checksum: str = ""
    dry_run: bool = False
    groups: list[GroupReport] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(g.missing == 0 and g.source_after == 0 for g in self.groups)


def checksum(event_ids: Iterable[str]) -> str:
    """Return a short SHA-256 of the sorted ids: equal sets give equal checksums."""
    return hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()[:16]


async def assert_quiet(source: BusAdmin, settle_s: float) -> str:
    before = await source.position()
    await asyncio.sleep(settle_s)
    after = await source.position()
    if before != after:
        raise BusMigrationError(
            f"events are still being published to {source.description}; "
            "stop every service that publishes, then run the migration again"
        )
    return after


async def migrate(
    source: BusAdmin,
    target: BusAdmin,
    target_bus: EventBus,
    *,
    settle_s: float = 1.0,
    dry_run: bool = False,
) -> MigrationReport:
    """Copy the source's unacknowledged events to the target and prove it (see module doc).

    Raises
    ------
    BusMigrationError
        The source is not quiet, or the target does not hold every event a
        group still needed; the source is left untouched in that case.
    """
    report = MigrationReport(source.description, target.description, dry_run=dry_run)
    position = await assert_quiet(source, settle_s)
    before = await source.backlog()
    report.events = len(before.events)
    report.source_checksum = checksum(e.event_id for e in before.events)
    if dry_run:
        report.groups = [_row(g, None, None) for g in before.groups]
        return report
    await target.prepare(((g.group, g.pattern) for g in before.groups), _types(before.events))
    await target_bus.start()
    try:
        await target_bus.publish_many(before.events)
    finally:
        await target_bus.close()
    if await source.position() != position:
        raise BusMigrationError(
            f"something published to {source.description} during the copy; the source was "
            "left as it was: stop the publishers and run the migration again"
        )
    after_target = {g.group: g for g in (await target.backlog()).groups}
    copied = set().union(
        *(after_target[g.group].event_ids for g in before.groups if g.group in after_target)
    )
    report.target_checksum = checksum(copied & {e.event_id for e in before.events})
    missing = {
        g.group: len(g.event_ids - after_target.get(g.group, _EMPTY).event_ids)
        for g in before.groups
    }
    if any(missing.values()):
        report.groups = [_row(g, after_target.get(g.group), None) for g in before.groups]
        raise BusMigrationError(
            f"the target lacks {sum(missing.values())} event(s) some group still needed "
            f"({', '.join(f'{k}: {v}' for k, v in missing.items() if v)}); "
            "the source was left as it was"
        )
    await source.mark_consumed()
    after_source = {g.group: g for g in (await source.backlog()).groups}
    report.groups = [
        _row(g, after_target.get(g.group), after_source.get(g.group)) for g in before.groups
    ]
    return report


_EMPTY = GroupBacklog(group="", pattern="", event_ids=frozenset())


def _types(events: list[Event]) -> set[str]:
    return {e.event_type for e in events}


def _row(
    before: GroupBacklog, target: GroupBacklog | None, source_after: GroupBacklog | None
) -> GroupReport:
    target_ids = target.event_ids if target is not None else frozenset()
    return GroupReport(
        group=before.group,
        pattern=before.pattern,
        source_before=len(before.event_ids),
        target_after=len(target_ids),
        missing=len(before.event_ids - target_ids) if target is not None else 0,
        source_after=len(source_after.event_ids) if source_after is not None else 0,
        lost_before_read=before.lost_before_read,
    )

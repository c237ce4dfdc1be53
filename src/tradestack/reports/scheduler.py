"""DailyReportScheduler: sends the daily report at a wall-clock time in a time zone.

The clock and the sleep are injected, so tests drive days of schedule in
microseconds; the arithmetic (``next_run``) is pure and handles daylight
saving: a time that does not exist on a spring-forward day runs at the
shifted instant, and an ambiguous one runs once, at its first occurrence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tradestack.domain.notifications import Notification
from tradestack.lifecycle import Component
from tradestack.reports.daily import build_daily_report
from tradestack.storage.database import Database

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
Send = Callable[[Notification], Awaitable[object]]


def next_run(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """Return the first instant after ``now`` when the local clock in ``zone`` shows ``at``."""
    local = now.astimezone(zone)
    day = local.date()
    while True:
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        # round-trip through UTC: a non-existent local time moves to a real instant
        if candidate > now:
            return candidate
        day += timedelta(days=1)


class DailyReportScheduler(Component):
    name = "daily-report"

    def __init__(
        self,
        *,
        db: Database,
        send: Send,
        at: time,
        zone: ZoneInfo,
        clock: Clock = lambda: datetime.now(UTC),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__()
        self.db = db
        self.send = send
        self.at = at
        self.zone = zone
        self.clock = clock
        self.sleep = sleep
        self.sent = 0
        self.next_due: datetime | None = None

    async def _on_start(self) -> None:
        self.spawn(self.run_forever(), "schedule")

    async def run_forever(self) -> None:
        while True:
            await self.run_once()

    async def run_once(self) -> None:
        """Wait for the next due time, then build and send one report."""
        due = next_run(self.clock(), self.at, self.zone)
        self.next_due = due
        while (remaining := (due - self.clock()).total_seconds()) > 0:
            await self.sleep(remaining)
        try:
            report = await build_daily_report(self.db, due=due, zone=self.zone)
            await self.send(report.notification())
            self.sent += 1
        except Exception:  # a failed report must not stop tomorrow's
            log.exception("daily report for %s failed", due.isoformat())

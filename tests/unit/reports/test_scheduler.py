"""Scheduling math with a fake clock: local time, time zones and daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tradestack.reports.daily import report_window
from tradestack.reports.scheduler import DailyReportScheduler, next_run
from tradestack.storage.database import Database

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_run_is_today_or_tomorrow_in_the_zone() -> None:
    # 16:00 UTC is 17:00 in Berlin (winter): 18:00 local is 17:00 UTC the same day
    assert next_run(utc(2026, 1, 10, 16), time(18), BERLIN) == utc(2026, 1, 10, 17)
    assert next_run(utc(2026, 1, 10, 17), time(18), BERLIN) == utc(2026, 1, 11, 17)
    # 03:00 UTC is still the 9th in New York (22:00 EST)
    assert next_run(utc(2026, 1, 10, 3), time(23), NEW_YORK) == utc(2026, 1, 10, 4)


def test_next_run_across_daylight_saving() -> None:
    # Berlin springs forward on 2026-03-29: 18:00 is 17:00 UTC before, 16:00 UTC after
    assert next_run(utc(2026, 3, 28, 18), time(18), BERLIN) == utc(2026, 3, 29, 16)
    # 02:30 does not exist that day: the report runs at 03:30 local (01:30 UTC)
    assert next_run(utc(2026, 3, 28, 12), time(2, 30), BERLIN) == utc(2026, 3, 28, 1, 30) + (
        timedelta(days=1)
    )
    # falling back on 2026-10-25, 02:30 happens twice; it runs once, at the first
    first = next_run(utc(2026, 10, 24, 12), time(2, 30), BERLIN)
    assert first == utc(2026, 10, 25, 0, 30)
    assert next_run(first, time(2, 30), BERLIN) == utc(2026, 10, 26, 1, 30)


def test_report_window_is_the_local_day_up_to_the_send_time() -> None:
    day, start, end = report_window(utc(2026, 1, 10, 17), BERLIN)
    assert (day.isoformat(), start, end) == (
        "2026-01-10",
        utc(2026, 1, 9, 23),
        utc(2026, 1, 10, 17),
    )
    day, start, end = report_window(utc(2026, 1, 10, 23), BERLIN)  # midnight in Berlin
    assert (day.isoformat(), start) == ("2026-01-10", utc(2026, 1, 9, 23))


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


async def test_the_scheduler_sends_once_a_day_at_the_local_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(utc(2026, 3, 27, 12))
    sent: list[datetime] = []
    built: list[datetime] = []

    async def fake_build(db: Database, *, due: datetime, zone: ZoneInfo) -> object:
        built.append(due)

        class Report:
            def notification(self) -> str:
                return f"report {due.isoformat()}"

        return Report()

    async def send(notification: object) -> None:
        sent.append(clock.now)

    import tradestack.reports.scheduler as module

    monkeypatch.setattr(module, "build_daily_report", fake_build)
    scheduler = DailyReportScheduler(
        db=None,  # type: ignore[arg-type]
        send=send,
        at=time(18),
        zone=BERLIN,
        clock=clock,
        sleep=clock.sleep,
    )
    for _ in range(3):
        await scheduler.run_once()
    # 27th and 28th at 17:00 UTC (CET), the 29th at 16:00 UTC (CEST)
    assert sent == [utc(2026, 3, 27, 17), utc(2026, 3, 28, 17), utc(2026, 3, 29, 16)]
    assert built == sent and scheduler.sent == 3
    assert clock.sleeps == [5 * 3600, 24 * 3600, 23 * 3600]

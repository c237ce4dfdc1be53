"""Gap detection against calendars, checked against a slow obvious reference."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradestack.marketdata.calendars import TradingCalendar, parse_calendar
from tradestack.marketdata.gaps import find_gaps

BOGOTA = parse_calendar("sessions America/Bogota mon-fri 08:00-12:55")
MONDAY = int(datetime(2024, 3, 4, tzinfo=UTC).timestamp())  # Monday 2024-03-04


def reference_missing(ts: np.ndarray, step: int, calendar: TradingCalendar) -> int:
    """Every open slot between the first and last bar that is not stored."""
    expected = calendar.open_slots(int(ts[0]), int(ts[-1]) + step, step)
    return int(np.setdiff1d(expected, ts).size)


def test_bogota_session_has_59_five_minute_bars_and_nights_are_not_gaps() -> None:
    day = BOGOTA.open_slots(MONDAY, MONDAY + 86_400, 300)
    assert len(day) == 59
    assert datetime.fromtimestamp(int(day[0]), UTC) == datetime(2024, 3, 4, 13, 0, tzinfo=UTC)
    week = BOGOTA.open_slots(MONDAY, MONDAY + 7 * 86_400, 300)
    assert len(week) == 5 * 59
    assert len(find_gaps(week, 300, BOGOTA)) == 0


def test_missing_bars_inside_and_across_sessions_are_found() -> None:
    week = BOGOTA.open_slots(MONDAY, MONDAY + 7 * 86_400, 300)
    kept = np.delete(
        week, [10, 11, 12, 58, 59]
    )  # three on Monday, last of Monday, first of Tuesday
    report = find_gaps(kept, 300, BOGOTA)
    gaps = report.gaps()
    assert [g.missing for g in gaps] == [3, 2]
    assert gaps[0].start == datetime.fromtimestamp(int(week[10]), UTC)
    assert gaps[1].start == datetime(2024, 3, 4, 17, 50, tzinfo=UTC)  # 12:50 in Bogota
    assert gaps[1].end == datetime(2024, 3, 5, 13, 5, tzinfo=UTC)  # Tuesday 08:05 in Bogota


def test_bounds_reveal_missing_head_and_tail() -> None:
    ts = np.arange(MONDAY + 600, MONDAY + 3600, 60)
    report = find_gaps(ts, 60, parse_calendar("24/7"), start_s=MONDAY, end_s=MONDAY + 4200)
    assert report.missing.tolist() == [10, 10]
    assert report.starts.tolist() == [MONDAY, MONDAY + 3600]


def test_weekdays_skip_the_weekend_and_holidays_are_closed() -> None:
    weekdays = parse_calendar("weekdays")
    friday_close = MONDAY + 5 * 86_400 - 3600
    next_monday = MONDAY + 7 * 86_400
    assert len(find_gaps(np.array([friday_close, next_monday]), 3600, weekdays)) == 0
    with_holiday = parse_calendar("sessions UTC mon-fri 00:00-24:00 holidays 2024-03-11")
    tuesday = next_monday + 86_400
    assert len(find_gaps(np.array([friday_close, tuesday]), 3600, with_holiday)) == 0
    assert find_gaps(np.array([friday_close, tuesday]), 3600, weekdays).total_missing == 24


def test_fx_week_opens_sunday_evening_new_york() -> None:
    fx = parse_calendar("fx")
    sunday = MONDAY - 86_400
    slots = fx.open_slots(sunday, sunday + 86_400, 3600)
    assert datetime.fromtimestamp(int(slots[0]), UTC).hour == 22  # 17:00 EST


def test_daily_bars_count_trading_days() -> None:
    days = np.array([MONDAY, MONDAY + 86_400, MONDAY + 4 * 86_400, MONDAY + 7 * 86_400])
    report = find_gaps(days, 86_400, parse_calendar("weekdays"))
    assert report.missing.tolist() == [2]  # Wednesday and Thursday; the weekend is closed


def test_bad_specs_are_clear() -> None:
    for spec, message in (
        ("sessions Mars/Base mon-fri 08:00-12:00", "unknown time zone"),
        ("sessions UTC mon-fry 08:00-12:00", "invalid days"),
        ("sessions UTC mon-fri 12:00-08:00", "closes before it opens"),
        ("monthly", "invalid calendar"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_calendar(spec)
    assert BOGOTA.holidays == () and parse_calendar("x 1".replace("x 1", "24/7")).always_open
    assert parse_calendar("sessions UTC mon 09:00-10:00 holidays 2024-01-01").holidays == (
        date(2024, 1, 1),
    )


@settings(max_examples=60, deadline=None)
@given(
    spec=st.sampled_from(
        [
            "24/7",
            "weekdays",
            "fx",
            "sessions America/Bogota mon-fri 08:00-12:55",
            "sessions Europe/London mon,wed 08:00-12:00,13:00-16:30 holidays 2024-03-27",
        ]
    ),
    step=st.sampled_from([60, 300, 3600]),
    keep=st.lists(st.booleans(), min_size=5, max_size=400),
    offset_days=st.integers(0, 300),
)
def test_matches_the_obvious_reference(
    spec: str, step: int, keep: list[bool], offset_days: int
) -> None:
    calendar = parse_calendar(spec)
    slots = calendar.open_slots(
        MONDAY + offset_days * 86_400, MONDAY + (offset_days + 30) * 86_400, step
    )
    slots = slots[: len(keep)]
    ts = slots[np.array(keep[: len(slots)], dtype=bool)]
    if len(ts) < 2:
        return
    report = find_gaps(ts, step, calendar)
    assert report.total_missing == reference_missing(ts, step, calendar)
    for gap in report.gaps():
        assert calendar.is_open(np.array([int(gap.start.timestamp())]), step)[0]


@pytest.mark.slow
def test_ten_million_bars_in_under_two_seconds() -> None:
    ts = np.arange(10_000_000, dtype=np.int64) * 60 + MONDAY
    ts = np.delete(ts, np.arange(1000, 10_000_000, 10_007))
    started = time.perf_counter()
    report = find_gaps(ts, 60, parse_calendar("24/7"))
    elapsed = time.perf_counter() - started
    assert len(report) == 1000 and elapsed < 2.0
    sessions = parse_calendar("sessions America/Bogota mon-fri 08:00-12:55")
    session_ts = sessions.open_slots(MONDAY, MONDAY + 3_000 * 86_400, 60)
    started = time.perf_counter()
    find_gaps(session_ts, 60, sessions)
    assert time.perf_counter() - started < 2.0

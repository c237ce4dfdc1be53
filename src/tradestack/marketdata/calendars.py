"""Trading calendars: when a market is open, so that a closed market is never called a gap.

A calendar is a set of weekly windows in a time zone, minus holidays:
``24/7`` (crypto), ``weekdays`` (Monday to Friday, whole days), ``fx`` (Sunday
17:00 to Friday 17:00 New York) or custom sessions such as
``sessions America/Bogota mon-fri 08:00-12:55``. A bar belongs to the
calendar when it *opens* inside a window (``open <= t < close``, wall-clock
time). Daily and longer bars count trading days instead.

Everything is vectorised: ``slots_before`` counts the open bar slots before
many timestamps at once from one precomputed week, which is what makes gap
detection over ten million bars take well under two seconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

DAY = 86_400
WEEK = 7 * DAY
_MONDAY = 4 * DAY  # 1970-01-05, the first Monday after the epoch
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

Window = tuple[int, int, int]  # (weekday 0=Monday, open second of day, close second of day)


@dataclass(frozen=True, slots=True)
class TradingCalendar:
    """Weekly ``windows`` in ``timezone`` minus ``holidays`` (local dates)."""

    spec: str
    timezone: str = "UTC"
    windows: tuple[Window, ...] = tuple((d, 0, DAY) for d in range(7))
    holidays: tuple[date, ...] = ()

    @property
    def always_open(self) -> bool:
        """True for 24/7 calendars (bars longer than a day are always treated so too)."""
        return self.windows == tuple((d, 0, DAY) for d in range(7)) and not self.holidays

    def is_open(self, ts: np.ndarray, step: int) -> np.ndarray:
        """Return whether each bar opening at ``ts`` (epoch seconds) is a trading bar."""
        ts = np.asarray(ts, dtype=np.int64)
        if self.always_open or step > DAY:
            return np.ones(ts.shape, dtype=bool)
        local, grid_step = self._local(ts, step)
        within = (local - _MONDAY) % WEEK
        is_open = _week_grid(self.windows, grid_step)[within // grid_step]
        if self.holidays:
            is_open &= ~np.isin((local // DAY), self._holiday_days())
        return is_open

    def slots_before(self, ts: np.ndarray, step: int) -> np.ndarray:
        """Count trading bar slots opening before each ``ts``, from a fixed origin.

        ``slots_before(b) - slots_before(a)`` is the number of bars the market
        should have in ``[a, b)``.
        """
        ts = np.asarray(ts, dtype=np.int64)
        if self.always_open or step > DAY:
            return -(-ts // step)
        local, grid_step = self._local(ts, step)
        cumulative = _week_cumulative(self.windows, grid_step)
        weeks, within = np.divmod(local - _MONDAY, WEEK)
        counts = weeks * cumulative[-1] + cumulative[-(-within // grid_step)]
        if self.holidays:
            counts -= self._holiday_slots_before(local, within, grid_step)
        return counts

    def open_slots(self, start_s: int, end_s: int, step: int) -> np.ndarray:
        """Return the open times of every trading bar in ``[start_s, end_s)``."""
        first = -(-start_s // step) * step
        slots = np.arange(first, end_s, step, dtype=np.int64)
        return slots[self.is_open(slots, step)]

    def _local(self, ts: np.ndarray, step: int) -> tuple[np.ndarray, int]:
        """Wall-clock seconds in the calendar's zone (UTC dates for daily bars), and grid step."""
        if step >= DAY:
            return ts, step
        if WEEK % step:
            raise ValueError(f"calendar {self.spec!r} needs a timeframe that divides a week")
        if self.timezone == "UTC":
            return ts, step
        import pandas as pd  # only for zone conversion; keeps settings loading light

        index = pd.DatetimeIndex(ts.astype("datetime64[s]")).tz_localize("UTC")
        local = index.tz_convert(self.timezone).tz_localize(None).asi8 // _unit_per_second(index)
        if np.any((local - ts) % step):
            raise ValueError(
                f"calendar {self.spec!r}: {self.timezone} is not a whole number of "
                f"{step} s bars away from UTC"
            )
        return local.astype(np.int64), step

    def _holiday_days(self) -> np.ndarray:
        return np.array(sorted((h - date(1970, 1, 1)).days for h in self.holidays), dtype=np.int64)

    def _holiday_slots_before(
        self, local: np.ndarray, within: np.ndarray, grid_step: int
    ) -> np.ndarray:
        cumulative = _week_cumulative(self.windows, grid_step)
        days = self._holiday_days()
        weekday_of = (days * DAY - _MONDAY) % WEEK // DAY
        per_day = DAY // grid_step if grid_step < DAY else 1
        day_slots = cumulative[(weekday_of + 1) * per_day] - cumulative[weekday_of * per_day]
        totals = np.concatenate([[0], np.cumsum(day_slots)])
        full = np.searchsorted(days * DAY + DAY, local, side="right")
        started = np.searchsorted(days * DAY, local, side="right")
        removed = totals[full]
        inside = started > full
        if inside.any():
            weekday = within[inside] // DAY
            partial = cumulative[-(-within[inside] // grid_step)] - cumulative[weekday * per_day]
            removed = removed.copy()
            removed[inside] += partial
        return removed


def _unit_per_second(index: object) -> int:
    return {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[index.unit]  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=64)
def _week_grid(windows: tuple[Window, ...], step: int) -> np.ndarray:
    """One flag per bar slot of a week (Monday 00:00 first): does a bar opening there trade?"""
    if step >= DAY:
        days = {w for w, _, _ in windows}
        return np.array([d in days for d in range(7)], dtype=bool)
    starts = np.arange(0, WEEK, step, dtype=np.int64)
    weekday, second = np.divmod(starts, DAY)
    grid = np.zeros(len(starts), dtype=bool)
    for day, opens, closes in windows:
        grid |= (weekday == day) & (second >= opens) & (second < closes)
    return grid


@functools.lru_cache(maxsize=64)
def _week_cumulative(windows: tuple[Window, ...], step: int) -> np.ndarray:
    grid = _week_grid(windows, step)
    return np.concatenate([[0], np.cumsum(grid, dtype=np.int64)])


def parse_calendar(spec: str) -> TradingCalendar:
    """Parse a calendar spec; raise ValueError naming what is wrong.

    ``24/7`` | ``weekdays [ZONE]`` | ``fx`` |
    ``sessions ZONE DAYS HH:MM-HH:MM[,HH:MM-HH:MM...] [holidays YYYY-MM-DD,...]``
    where DAYS is ``mon-fri`` or a list such as ``mon,wed,fri``.
    """
    words = spec.split()
    if not words:
        raise ValueError("empty calendar spec")
    kind = words[0].lower()
    if kind in {"24/7", "always", "crypto"} and len(words) == 1:
        return TradingCalendar(spec)
    if kind == "weekdays" and len(words) <= 2:
        zone = _zone(words[1]) if len(words) == 2 else "UTC"
        return TradingCalendar(spec, zone, tuple((d, 0, DAY) for d in range(5)))
    if kind == "fx" and len(words) == 1:
        windows = ((6, 17 * 3600, DAY), *((d, 0, DAY) for d in range(4)), (4, 0, 17 * 3600))
        return TradingCalendar(spec, "America/New_York", windows)
    if kind == "sessions" and len(words) in {4, 6}:
        days = _days(words[2])
        ranges = [_clock_range(part) for part in words[3].split(",")]
        holidays: tuple[date, ...] = ()
        if len(words) == 6:
            if words[4].lower() != "holidays":
                raise ValueError(f"calendar {spec!r}: expected 'holidays' after the sessions")
            holidays = tuple(sorted(_date(text) for text in words[5].split(",")))
        windows = tuple((d, o, c) for d in days for o, c in ranges)
        return TradingCalendar(spec, _zone(words[1]), windows, holidays)
    raise ValueError(
        f"invalid calendar {spec!r}: expected '24/7', 'weekdays [ZONE]', 'fx' or "
        "'sessions ZONE DAYS HH:MM-HH:MM' (for example "
        "'sessions America/Bogota mon-fri 08:00-12:55')"
    )


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _days(text: str) -> list[int]:
    text = text.lower()
    if "-" in text:
        first, _, last = text.partition("-")
        if first not in _DAYS or last not in _DAYS:
            raise ValueError(f"invalid days {text!r}: use names like mon-fri")
        return list(range(_DAYS[first], _DAYS[last] + 1))
    days = [_DAYS.get(part) for part in text.split(",")]
    if None in days:
        raise ValueError(f"invalid days {text!r}: use names like mon,wed,fri")
    return [d for d in days if d is not None]


def _clock_range(text: str) -> tuple[int, int]:
    opens, _, closes = text.partition("-")
    start, end = _clock(opens), _clock(closes)
    if end <= start:
        raise ValueError(f"session {text!r} closes before it opens")
    return start, end


def _clock(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit()) or int(hours) > 24 or int(minutes) > 59:
        raise ValueError(f"invalid time {text!r}: expected HH:MM")
    return int(hours) * 3600 + int(minutes) * 60


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"invalid holiday {text!r}: expected YYYY-MM-DD") from None

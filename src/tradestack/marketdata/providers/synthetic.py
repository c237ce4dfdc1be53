"""The synthetic adapter of the provider port: the seeded walk, as history and as a live stream.

History is generated in pages from ``start``; each page continues from the
previous close, so a series is one unbroken walk however it is paged. The
live stream emits the bar after ``after`` every ``interval_s`` seconds (faster
than real time for demos and tests); with ``never_ahead`` it also waits until
each bar has closed on the wall clock, so no bar is ever dated in the future.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.synthetic import SyntheticMarket

_PAGE = 100_000


class SyntheticProvider:
    """History and live bars from a ``SyntheticMarket``."""

    source = "synthetic"

    def __init__(
        self,
        market: SyntheticMarket | None = None,
        *,
        page_bars: int = _PAGE,
        interval_s: float = 1.0,
        previous_close: float | None = None,
        never_ahead: bool = False,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.market = market or SyntheticMarket()
        self.page_bars = page_bars
        self.interval_s = interval_s
        self.previous_close = previous_close
        self.never_ahead = never_ahead
        self.wall_clock = wall_clock

    async def history(
        self, symbol: str, timeframe: str, *, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[BarFrame]:
        frame = Timeframe.parse(timeframe)
        if start is None:
            raise ValueError("the synthetic provider needs a start time")
        cursor = int(frame.floor(start).timestamp())
        if cursor < start.timestamp():
            cursor += frame.seconds
        stop = int((end or datetime.now(UTC)).timestamp())
        previous = self.previous_close
        while cursor < stop:
            count = min(self.page_bars, -(-(stop - cursor) // frame.seconds))
            page = self._page(symbol, frame, cursor, count, previous)
            previous = float(page.close[-1])
            cursor += count * frame.seconds
            yield page
            await asyncio.sleep(0)

    async def live(
        self, symbol: str, timeframe: str, *, after: datetime, last_close: float | None = None
    ) -> AsyncIterator[Bar]:
        frame = Timeframe.parse(timeframe)
        cursor = int(frame.floor(after).timestamp()) + frame.seconds
        previous = last_close if last_close is not None else self.previous_close
        while True:
            await asyncio.sleep(self.interval_s)
            if self.never_ahead:
                await self._until_closed(cursor + frame.seconds)
            bar = self._page(symbol, frame, cursor, 1, previous).to_bars()[0]
            previous = bar.close
            cursor += frame.seconds
            yield bar

    async def _until_closed(self, close_s: int) -> None:
        """Sleep until the wall clock reaches ``close_s`` (the bar's close time)."""
        # Polled, not one long sleep: the clock is injectable and may jump (suspend, tests).
        while (wait := close_s - self.wall_clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(wait, 1.0))

    def _page(
        self, symbol: str, frame: Timeframe, first_s: int, count: int, previous: float | None
    ) -> BarFrame:
        start = datetime.fromtimestamp(first_s, tz=UTC)
        arrays = self.market.arrays(symbol, frame.label, start, count, previous_close=previous)
        times = first_s + frame.seconds * np.arange(count, dtype=np.int64)
        return BarFrame.from_arrays(symbol, frame.label, times, *arrays)

    async def close(self) -> None:
        """Nothing to release."""

"""The synthetic provider: paged history is one unbroken walk; live bars follow on."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from tradestack.domain.bar_frame import BarFrame
from tradestack.marketdata.providers.port import HistoryProvider, LiveProvider
from tradestack.marketdata.providers.synthetic import SyntheticProvider

START = datetime(2024, 1, 1, tzinfo=UTC)


async def test_history_pages_join_into_one_contiguous_walk() -> None:
    provider = SyntheticProvider(page_bars=64)
    assert isinstance(provider, HistoryProvider) and isinstance(provider, LiveProvider)
    pages = [
        p
        async for p in provider.history(
            "BTC/USDT", "1m", start=START, end=START + timedelta(minutes=200)
        )
    ]
    frame = BarFrame.concat(pages)
    assert len(pages) == 4 and len(frame) == 200
    assert all(b - a == 60 for a, b in itertools.pairwise(frame.ts.tolist()))
    assert np_equal(frame.open[1:], frame.close[:-1])


async def test_live_bars_continue_from_the_last_close() -> None:
    provider = SyntheticProvider(interval_s=0.001)
    stream = provider.live("BTC/USDT", "1m", after=START, last_close=123.0)
    first = await anext(stream)
    second = await anext(stream)
    await stream.aclose()
    assert first.ts == START + timedelta(minutes=1) and first.open == 123.0
    assert second.open == first.close


def np_equal(a: object, b: object) -> bool:
    import numpy as np

    return bool(np.array_equal(a, b))


async def test_never_ahead_waits_for_each_bar_to_close_on_the_wall_clock() -> None:
    clock = [START.timestamp() + 90.0]  # 1.5 bars after START: bar START+1m closes at +120 s

    def wall_clock() -> float:
        clock[0] += 10.0  # every look at the clock moves it on
        return clock[0]

    provider = SyntheticProvider(interval_s=0.0, never_ahead=True, wall_clock=wall_clock)
    stream = provider.live("BTC/USDT", "1m", after=START)
    bars = [await anext(stream) for _ in range(3)]
    await stream.aclose()
    for bar in bars:
        close_s = bar.ts.timestamp() + 60
        assert close_s <= clock[0]
    assert [b.ts for b in bars] == [START + timedelta(minutes=n) for n in (1, 2, 3)]

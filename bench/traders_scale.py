"""1,000 paper traders in one process: memory per trader and bars per second.

Cases, all SMA(10, 30) paper traders on one seeded synthetic 1m series:
- ``core``: the traders' stages from the one builder, each bar run through
  every trader in turn (no bus, no database): the floor of this shape;
- ``all-in-one``: the same traders run by the TraderManager of ``tradestack
  run``: each bar published once on the memory bus, every trader's changes
  group-committed to SQLite by the shared journal.

Memory per trader is what the Python heap grew by (tracemalloc) while the
traders were built (and, for the all-in-one case, stored, started and
restored), divided by their number; the process's resident set is shown too.
``trader-bars/s`` counts one bar seen by one trader.

Run: ``python -m bench.traders_scale [--traders N] [--bars N]``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.replay import make_bars
from bench.report import Result, print_table
from tradestack.config.loader import load_settings
from tradestack.domain.market import Bar
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.system.builder import build_trader
from tradestack.system.modes import PAPER
from tradestack.traders.spec import TraderSpec

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def spec(index: int) -> TraderSpec:
    return TraderSpec(
        trader_id=f"t{index:04d}",
        strategy="sma_cross",
        params={"fast": 10, "slow": 30},
        symbol="BTC/USDT",
        timeframe="1m",
    )


def core(traders: int, bars: list[Bar], home: Path) -> tuple[Result, float]:
    settings = load_settings(home=home)
    gc.collect()
    tracemalloc.start()
    built = [build_trader(spec(i), settings, mode=PAPER) for i in range(traders)]
    per_trader = tracemalloc.get_traced_memory()[0] / traders
    tracemalloc.stop()
    steps = [trader.on_bar for trader in built]
    started = time.perf_counter()
    fills = 0
    for bar in bars:
        for on_bar in steps:
            fills += len(on_bar(bar).fills)
    elapsed = time.perf_counter() - started
    note = (
        f"{len(bars):,} bars in {elapsed:.1f} s, {fills:,} fills, "
        f"{per_trader / 1024:.1f} KiB/trader, RSS {rss_mib():.0f} MiB"
    )
    return Result("core", traders * len(bars), elapsed, note), per_trader


async def all_in_one(traders: int, bars: list[Bar], home: Path) -> tuple[Result, float]:
    kernel = Kernel.build(load_settings(home=home, run={"history_bars": 0}))
    await kernel.prepare()
    await kernel.traders.start()
    gc.collect()
    tracemalloc.start()
    for i in range(1, traders):  # the default trader is the first
        await kernel.traders.add(spec(i))
    per_trader = tracemalloc.get_traced_memory()[0] / max(traders - 1, 1)
    tracemalloc.stop()
    await kernel.bus.start()
    journal = kernel.traders.journal
    started = time.perf_counter()
    for bar in bars:
        await kernel.bus.publish(bar_event(bar))
    await kernel.traders.settle_up()
    elapsed = time.perf_counter() - started
    filled = sum(r.orders_filled for r in kernel.traders.runners.values())
    note = (
        f"{len(bars):,} bars in {elapsed:.1f} s, {filled:,} orders filled, "
        f"{journal.commits} commits, {per_trader / 1024:.1f} KiB/trader, RSS {rss_mib():.0f} MiB"
    )
    await kernel.stop()
    return Result("all-in-one", traders * len(bars), elapsed, note), per_trader


def main(*, quick: bool = False) -> None:
    traders = 200 if quick else 1_000
    count = 100 if quick else 300
    if "--traders" in sys.argv:
        traders = int(sys.argv[sys.argv.index("--traders") + 1])
    if "--bars" in sys.argv:
        count = int(sys.argv[sys.argv.index("--bars") + 1])
    bars = make_bars(count)
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        fast, _ = core(traders, bars, Path(first))
        slow, _ = asyncio.run(all_in_one(traders, bars, Path(second)))
    print_table(
        f"{traders:,} paper traders in one process, {count:,} synthetic 1m bars, SMA(10, 30)",
        "trader-bars",
        [fast, slow],
        "core",
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

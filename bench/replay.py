"""Bars replayed per second through strategy + paper venue + portfolio (all-in-one shape).

Cases, all on the same seeded synthetic 1m bars with SMA(10, 30):
- ``loop``: a bare Python loop computing the same crossover: the floor of any
  per-bar Python design, the reference for ratios;
- ``core``: TraderContext.on_bar (strategy, sizing, risk, order manager, paper
  venue, Decimal portfolio), no I/O: what backtests and paper trading share;
- ``all-in-one``: bars published on the in-memory bus to the TraderRunner,
  which persists every signal, order, fill and position to SQLite.

Run: ``python -m bench.replay [--bars N]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bench.report import Result, print_table
from tradestack.config.loader import load_settings
from tradestack.domain.market import Bar
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.system.builder import build_trader
from tradestack.system.modes import PAPER
from tradestack.traders.spec import TraderSpec

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_bars(count: int) -> list[Bar]:
    return SyntheticMarket(seed=42).bars("BTC/USDT", "1m", START, count)


def bare_loop(bars: list[Bar]) -> Result:
    started = time.perf_counter()
    window: deque[float] = deque(maxlen=30)
    fast = slow = 0.0
    above = None
    crosses = 0
    for bar in bars:
        if len(window) == 30:
            slow -= window[0]
        if len(window) >= 10:
            fast -= window[-10]
        window.append(bar.close)
        fast += bar.close
        slow += bar.close
        if len(window) == 30:
            now = fast * 30 > slow * 10
            if above is not None and now != above:
                crosses += 1
            above = now
    return Result("loop", len(bars), time.perf_counter() - started, f"{crosses} crossovers")


def core(bars: list[Bar], tmp: Path) -> Result:
    settings = load_settings(home=tmp)
    trader = build_trader(TraderSpec.from_run_settings(settings.run), settings, mode=PAPER)
    context = trader.execution
    on_bar = trader.on_bar
    started = time.perf_counter()
    fills = 0
    for bar in bars:
        fills += len(on_bar(bar).fills)
    elapsed = time.perf_counter() - started
    equity = context.portfolio.equity.quantize(Decimal("0.01"))
    return Result("core", len(bars), elapsed, f"{fills} fills, equity {equity}")


async def all_in_one(bars: list[Bar], tmp: Path) -> Result:
    kernel = Kernel.build(load_settings(home=tmp, run={"history_bars": 0}))
    await kernel.prepare()
    await kernel.audit_start()
    await kernel.traders.start()
    await kernel.bus.start()
    trader = kernel.traders.runners["default"]
    started = time.perf_counter()
    for bar in bars:
        await kernel.bus.publish(bar_event(bar))
    await kernel.bus.close()
    elapsed = time.perf_counter() - started
    note = f"{trader.orders_filled} orders filled, persisted to SQLite"
    await kernel.stop()
    return Result("all-in-one", len(bars), elapsed, note)


def main(*, quick: bool = False) -> None:
    count = 50_000 if quick else 200_000
    if "--bars" in sys.argv:
        count = int(sys.argv[sys.argv.index("--bars") + 1])
    bars = make_bars(count)
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        results = [
            bare_loop(bars),
            core(bars, Path(first)),
            asyncio.run(all_in_one(bars, Path(second))),
        ]
    print_table(f"bar replay, {count:,} synthetic 1m bars, SMA(10, 30)", "bars", results, "loop")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

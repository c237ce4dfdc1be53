"""Signals per second through sizing, risk, order manager, paper venue and portfolio.

A strategy that flips between BUY and SELL on every bar makes each bar carry
one signal and one fill, so the measured path is the full
signal -> order -> risk -> venue -> fill -> portfolio loop of TraderContext.
Latency per signal is the wall time of one such bar, sampled for every bar.

The lean row is ``bench.lean.flip_flop_loop``: the same signals, sizing, risk
rules and fills kept in plain floats, timed in the same process on the same
bars; its ratio says what the objects, Decimals and state machine cost.

Run: ``python -m bench.execution [--signals N]``.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np

from bench.lean import flip_flop_loop
from bench.replay import make_bars
from bench.report import Result, print_table
from tradestack.config.loader import load_settings
from tradestack.domain.enums import SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.strategy.base import Strategy, StrategyContext
from tradestack.system.builder import build_trader
from tradestack.system.modes import PAPER
from tradestack.traders.spec import TraderSpec


class FlipFlop(Strategy):
    """Alternates BUY and SELL every bar: the worst case for the execution path."""

    name = "flip_flop"

    def __init__(self) -> None:
        super().__init__()
        self._buy = True

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        side = SignalSide.BUY if self._buy else SignalSide.SELL
        self._buy = not self._buy
        return (self.signal(bar, side, context),)


def run(count: int, tmp: Path, *, limits: bool) -> tuple[Result, Result, np.ndarray, np.ndarray]:
    """Time ``count`` signals: (wall result, CPU result, wall latencies, CPU latencies) in ns.

    The machine is shared: wall time includes the slices other processes take
    from this one (a bar that straddles one costs milliseconds), CPU time
    (this thread's clock) does not. Both are printed; CPU time is the fair one
    on a busy machine, wall time on a quiet one.
    """
    risk = (
        {
            "max_open_positions": 5,
            "max_symbol_exposure_pct": "150",
            "max_leverage": "3",
            "daily_loss_limit_usd": "1000000",
        }
        if limits
        else {}
    )
    # No fees: with a fee, flipping every bar would spend the account to nothing.
    settings = load_settings(home=tmp, risk=risk, paper={"fee_rate": "0"})
    spec = TraderSpec(
        trader_id="bench",
        strategy="sma_cross",
        params={},
        symbol="BTC/USDT",
        timeframe="1m",
        starting_cash=Decimal(1_000_000),
    )
    # As before the one builder: the paper mode without re-sizing at the fill price.
    mode = dataclasses.replace(PAPER, size_at_fill_price=False)
    context = build_trader(spec, settings, mode=mode).execution
    context.strategy = FlipFlop()
    bars = make_bars(count + 1)
    wall = np.empty(count, dtype=np.int64)
    cpu = np.empty(count, dtype=np.int64)
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    on_bar = context.on_bar
    fills = 0
    started, started_cpu = time.perf_counter(), time.thread_time()
    for i, bar in enumerate(bars[:count]):
        t0, c0 = wall_clock(), cpu_clock()
        fills += len(on_bar(bar).fills)
        cpu[i] = cpu_clock() - c0
        wall[i] = wall_clock() - t0
    elapsed, elapsed_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    name = "all risk rules on" if limits else "position-size rule only"
    note = f"{fills:,} fills"
    return (
        Result(name, count, elapsed, note),
        Result(name, count, elapsed_cpu, note),
        wall,
        cpu,
    )


def lean(count: int) -> tuple[Result, Result]:
    """The plain-float loop over the same bars, best of three (it is short): wall, CPU."""
    bars = make_bars(count + 1)[:count]
    opens = [b.open for b in bars]
    closes = [b.close for b in bars]
    best, best_cpu, fills = float("inf"), float("inf"), 0
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fills = flip_flop_loop(
            opens,
            closes,
            1_000_000.0,
            lot=0.0001,
            allocation=0.95,
            max_position_usd=1_000_000.0,
            max_exposure_pct=150.0,
            max_leverage=3.0,
            daily_loss_usd=1_000_000.0,
        )
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.thread_time() - started_cpu)
    name, note = "lean float loop, same rules", f"{fills:,} fills"
    return Result(name, count, best, note), Result(name, count, best_cpu, note)


def _us(latencies: np.ndarray) -> tuple[float, float]:
    p50, p99 = np.percentile(latencies, [50, 99]) / 1000
    return float(p50), float(p99)


def main(*, quick: bool = False) -> None:
    count = 20_000 if quick else 100_000
    if "--signals" in sys.argv:
        count = int(sys.argv[sys.argv.index("--signals") + 1])
    walls, cpus, p99s = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for limits in (False, True):
            wall, cpu, wall_ns, cpu_ns = run(count, Path(tmp), limits=limits)
            (w50, w99), (c50, c99) = _us(wall_ns), _us(cpu_ns)
            p99s[wall.name] = (w99, c99)
            walls.append(
                Result(
                    wall.name,
                    count,
                    wall.seconds,
                    f"{wall.note}; p50 {w50:.1f} us, p99 {w99:.1f} us",
                )
            )
            cpus.append(
                Result(
                    cpu.name, count, cpu.seconds, f"{cpu.note}; p50 {c50:.1f} us, p99 {c99:.1f} us"
                )
            )
    lean_wall, lean_cpu = lean(count)
    walls.append(lean_wall)
    cpus.append(lean_cpu)
    title = f"execution path, {count:,} signals (one fill each)"
    print_table(f"{title}: wall time", "signals", walls, lean_wall.name)
    print_table(f"{title}: CPU time of this thread", "signals", cpus, lean_cpu.name)
    full_wall, full_cpu = walls[1], cpus[1]
    w99, c99 = p99s[full_wall.name]
    print(
        f"all risk rules: {full_wall.rate:,.0f} signals/s wall, {full_cpu.rate:,.0f} CPU "
        f"(target >= 50,000); p99 {w99:.1f} us wall, {c99:.1f} us CPU (target < 1,000); "
        f"{full_cpu.rate / lean_cpu.rate:.1%} of the lean float loop (CPU), "
        f"{full_wall.rate / lean_wall.rate:.1%} (wall)"
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

"""Signals per second through sizing, risk, order manager, paper venue and portfolio.

A strategy that flips between BUY and SELL on every bar makes each bar carry
one signal and one fill, so the measured path is the full
signal -> order -> risk -> venue -> fill -> portfolio loop of TraderContext.
Latency per signal is the wall time of one such bar, sampled for every bar.

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


def run(count: int, tmp: Path, *, limits: bool) -> tuple[Result, np.ndarray]:
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
    latencies = np.empty(count, dtype=np.int64)
    clock = time.perf_counter_ns
    fills = 0
    started = time.perf_counter()
    for i, bar in enumerate(bars[:count]):
        t0 = clock()
        fills += len(context.on_bar(bar).fills)
        latencies[i] = clock() - t0
    elapsed = time.perf_counter() - started
    name = "all risk rules on" if limits else "position-size rule only"
    return Result(name, count, elapsed, f"{fills:,} fills"), latencies


def main(*, quick: bool = False) -> None:
    count = 20_000 if quick else 100_000
    if "--signals" in sys.argv:
        count = int(sys.argv[sys.argv.index("--signals") + 1])
    results, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for limits in (False, True):
            result, latencies = run(count, Path(tmp), limits=limits)
            p50, p99 = np.percentile(latencies, [50, 99]) / 1000
            results.append(
                Result(
                    result.name,
                    result.items,
                    result.seconds,
                    f"{result.note}; p50 {p50:.1f} us, p99 {p99:.1f} us",
                )
            )
            notes.append(p99)
    print_table(
        f"execution path, {count:,} signals (one fill each)", "signals", results, results[0].name
    )
    print(f"targets: >= 50,000 signals/s and p99 < 1,000 us; worst p99 here {max(notes):.1f} us")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

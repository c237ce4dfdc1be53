"""Strategy SDK costs: the v2 adapter per bar vs a v1 strategy, and populate() vs vectorbt.

1. Per-bar cost of a v2 strategy with a 300-bar window and three declared
   TA-Lib indicators (SMA, RSI, ATR), as a ratio to the v1 ``sma_cross`` on the
   same bars (``on_bar`` only: the trader around both is the same).
2. A vectorised ``populate(frame)`` SMA crossover in tradestack's vectorised
   engine (populate + compiled fills) vs vectorbt's ``Portfolio.from_signals``
   on the same entries/exits (vectorbt: simulation only, signals precomputed).
   vectorbt runs in the side venv of ``bench.backtest`` (``var/peers-venv``);
   without it that row says so.

Run: ``python -m bench.strategy_sdk [--bars N] [--vector-bars N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import compile_kernels, run_vector
from tradestack.domain.market import Bar
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.strategy import registry
from tradestack.strategy.base import Parameter
from tradestack.strategy.indicators import Indicator
from tradestack.strategy.v2 import BarData, StrategyV2
from tradestack.strategy.vector import VectorStrategy

ROOT = Path(__file__).resolve().parent.parent
PEERS_PYTHON = ROOT / "var" / "peers-venv" / "bin" / "python"
console = Console(width=160)


class ThreeIndicators(StrategyV2):
    name = "bench_v2"
    window = 300

    def indicators(self) -> list[Indicator]:
        return [
            Indicator("sma", "SMA", timeperiod=30),
            Indicator("rsi", "RSI", timeperiod=14),
            Indicator("atr", "ATR", timeperiod=14),
        ]

    def next(self, data: BarData) -> None:
        if data["rsi"] < 5 and data.bar.close > data["sma"] + data["atr"]:
            return None  # reads every indicator, never trades: the adapter's cost alone
        return None


class PopulateCross(VectorStrategy):
    name = "bench_populate"
    window = 60
    parameters = (Parameter("fast", int, 10), Parameter("slow", int, 30))

    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        close = frame["close"].to_numpy()
        fast = pd.Series(close).rolling(int(self.params["fast"])).mean().to_numpy()
        slow = pd.Series(close).rolling(int(self.params["slow"])).mean().to_numpy()
        above = fast > slow
        before = np.r_[False, above[:-1]]
        frame["enter_long"] = above & ~before
        frame["exit_long"] = ~above & before
        return frame


class _Ctx:
    trader_id = "bench"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


def bars(count: int) -> list[Bar]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return SyntheticMarket(seed=42).bars("BTC/USDT", "1m", start, count)


def per_bar_us(strategy: object, feed: list[Bar]) -> float:
    on_bar, context = strategy.on_bar, _Ctx()  # type: ignore[attr-defined]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for bar in feed:
            on_bar(bar, context)
        best = min(best, time.perf_counter() - started)
        strategy = type(strategy)()  # fresh state for the next round
        on_bar = strategy.on_bar  # type: ignore[attr-defined]
    return best / len(feed) * 1e6


def vectorbt_seconds(series: BarSeries, codes: np.ndarray) -> tuple[float | None, str]:
    if not PEERS_PYTHON.exists():
        return None, "no var/peers-venv (python -m bench.backtest creates it)"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bars.npz"
        signals = np.where(codes == 2, -1, codes).astype(np.int8)
        np.savez(
            path,
            ts=series.ts,
            open=series.open,
            high=series.high,
            low=series.low,
            close=series.close,
            volume=series.volume,
            signals=signals,
            cash=100_000.0,
            fee=0.0,
            price_precision=2,
        )
        script = str(ROOT / "bench" / "peer_cases.py")
        done = subprocess.run(
            [str(PEERS_PYTHON), script, "vectorbt", str(path)], capture_output=True, text=True
        )
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ["failed"])[-1]
    import json

    out = json.loads(done.stdout.strip().splitlines()[-1])
    return float(out["seconds"]), f"{out['trades']} trades"


def main(*, quick: bool = False) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=2_000 if quick else 20_000)
    parser.add_argument("--vector-bars", type=int, default=100_000 if quick else 1_000_000)
    args, _rest = parser.parse_known_args()

    feed = bars(args.bars)
    v1 = per_bar_us(registry.create_strategy("sma_cross"), feed)
    v2 = per_bar_us(ThreeIndicators(), feed)
    table = Table("measure", "tradestack", "peer", "ratio", "note")
    table.add_row(
        "per-bar cost, v2 (300-bar window, SMA+RSI+ATR)",
        f"{v2:.1f} us",
        f"v1 sma_cross {v1:.2f} us",
        f"{v2 / v1:.1f}x",
        f"{args.bars:,} bars, best of 3",
    )

    registry._BUILT_IN[PopulateCross.name] = PopulateCross
    start = datetime(2024, 1, 1, tzinfo=UTC)
    columns = SyntheticMarket(seed=42).arrays("BTC/USDT", "1m", start, args.vector_bars)
    ts = np.datetime64("2024-01-01", "us") + np.arange(args.vector_bars) * np.timedelta64(60, "s")
    series = BarSeries.from_arrays("BTC/USDT", "1m", ts, columns)
    compile_kernels()
    config = BacktestConfig(PopulateCross.name, {}, cash=Decimal(100_000), fee_rate=Decimal(0))
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = run_vector(series, config)
        best = min(best, time.perf_counter() - started)
    codes = PopulateCross().vector_signals(series)
    peer, note = vectorbt_seconds(series, codes)
    table.add_row(
        "populate() in the vectorised engine",
        f"{best * 1000:.0f} ms",
        f"vectorbt {peer * 1000:.0f} ms" if peer is not None else "vectorbt: not run",
        f"{best / peer:.2f}x" if peer else "-",
        f"{args.vector_bars:,} bars, {len(result.trades)} trades; vectorbt {note}",
    )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())

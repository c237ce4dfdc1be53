"""Backtest speed and memory, side by side with backtesting.py, vectorbt and nautilus_trader.

Every engine trades the same long-only SMA(10, 30) crossover, all-in in whole
units, market orders at the next bar's open (nautilus_trader: at the signal
bar's close, see bench/peer_cases.py), no fee, on:
- 1,000,000 seeded synthetic 1m bars (``--bars`` to change, ``--quick`` 200k),
- backtesting.py's shipped GOOG (daily) and EURUSD (hourly) bars.

Each run is its own process, so its peak RSS is its own; each figure is the
best of three processes (nautilus_trader: one), as the machine may be shared. backtesting.py runs in
this environment (a dev dependency); vectorbt 1.0.0 and nautilus_trader
1.221.0 cannot share it (pandas pins), so they run in a side venv at
``var/peers-venv``, created on first use (``--no-peers`` skips them).
nautilus_trader runs on the first 100,000 synthetic bars only: at a few
thousand bars/s with orders, a million would take minutes.

The "lean float loop" row is ``bench.lean.sma_cross_loop``: the same strategy
with cash and position as plain floats over lists, no objects at all, timed in
its own process like the others; it must agree with tradestack on trades. The
targets table gives the event-driven engine's ratio to it and to backtesting.py
from this one run (``--only-event`` runs just tradestack's event engine, the
lean loop and backtesting.py on the synthetic bars).

Run: ``python -m bench.backtest [--quick] [--bars N] [--no-peers] [--only-event]``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.backtest_targets import _event_targets, _mb, _money, _targets, _text

ROOT = Path(__file__).resolve().parent.parent
PEERS_VENV = ROOT / "var" / "peers-venv"
PEER_PACKAGES = ["vectorbt==1.0.0", "nautilus_trader==1.221.0", "pandas>=2.3,<3", "plotly<6"]
NAUTILUS_BARS = 100_000
REPEAT = 3
GRID_RANGES = ("fast=5:50:5", "slow=60:240:20")  # 10 x 10 = 100 points, all fast < slow
console = Console(width=200)


@dataclass
class Run:
    name: str
    bars: int
    seconds: float
    trades: int | None = None
    final_equity: float | None = None
    compile_s: float | None = None
    peak_rss_mb: float | None = None
    note: str = ""

    @property
    def rate(self) -> float:
        return self.bars / self.seconds if self.seconds else float("nan")


def write_data(folder: Path, count: int) -> dict[str, Path]:
    """Write each data set as .npz (with tradestack's SMA signals, for vectorbt)."""
    from backtesting.test import EURUSD, GOOG

    from tradestack.backtest.series import BarSeries
    from tradestack.marketdata.synthetic import SyntheticMarket

    start = datetime(2024, 1, 1, tzinfo=UTC)
    columns = SyntheticMarket(seed=42).arrays("BTC/USDT", "1m", start, count)
    stamps = np.datetime64("2024-01-01", "us") + np.arange(count) * np.timedelta64(60, "s")
    sets = {
        "synthetic": (BarSeries.from_arrays("BTC/USDT", "1m", stamps, columns), 10_000_000, 2),
        "GOOG": (_from_frame(GOOG, "GOOG", "1d"), 10_000, 2),
        "EURUSD": (_from_frame(EURUSD, "EUR/USD", "1h"), 10_000, 5),
    }
    paths = {}
    for name, (series, cash, precision) in sets.items():
        paths[name] = folder / f"{name}.npz"
        _save(paths[name], series, cash, precision)
    return paths


def _from_frame(frame, symbol: str, timeframe: str):  # type: ignore[no-untyped-def]
    from tradestack.backtest.series import BarSeries

    columns = [frame[c].to_numpy() for c in ("Open", "High", "Low", "Close", "Volume")]
    return BarSeries.from_arrays(symbol, timeframe, frame.index.to_numpy(), columns)


def _save(path: Path, series, cash: int, precision: int) -> None:  # type: ignore[no-untyped-def]
    from tradestack.backtest.vector.signals import sma_cross_kernel

    np.savez(
        path,
        ts=series.ts.astype("datetime64[ns]").astype("int64"),
        open=series.open,
        high=series.high,
        low=series.low,
        close=series.close,
        volume=series.volume,
        signals=sma_cross_kernel(series.close, 10, 30),
        cash=np.float64(cash),
        fee=np.float64(0.0),
        price_precision=np.int64(precision),
        symbol=np.str_(series.symbol),
        timeframe=np.str_(series.timeframe),
    )


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM): unlike ru_maxrss it is not inherited on exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def ours(case: str, path: str) -> dict[str, object]:
    """One tradestack case in this process (the child side of ``--case``)."""
    from tradestack.backtest.config import BacktestConfig
    from tradestack.backtest.engine import run_event
    from tradestack.backtest.metrics import compute
    from tradestack.backtest.series import BarSeries
    from tradestack.backtest.vector.engine import compile_kernels, run_vector

    data = np.load(path)
    columns = [data[c] for c in ("open", "high", "low", "close", "volume")]
    stamps = data["ts"].astype("datetime64[ns]")
    series = BarSeries.from_arrays(str(data["symbol"]), str(data["timeframe"]), stamps, columns)
    config = BacktestConfig(
        "sma_cross", {"fast": 10, "slow": 30}, cash=Decimal(int(data["cash"])), fee_rate=Decimal(0)
    )
    out: dict[str, object] = {"bars": len(series)}
    if case == "lean":
        return out | _lean(data)
    if case == "grid":
        return out | _grid(series, config)
    compile_s = compile_kernels()  # metrics use a compiled pass too: keep it out of the timing
    started = time.perf_counter()
    result = (run_vector if case == "vector" else run_event)(series, config)
    engine_s = time.perf_counter() - started
    metrics = compute(result)
    total_s = time.perf_counter() - started
    # backtesting.py's run() includes its statistics, vectorbt's from_signals does not:
    # the event-driven figure includes the metrics, the vectorised one does not.
    out |= {
        "seconds": total_s if case == "event" else engine_s,
        "metrics_s": total_s - engine_s,
        "trades": metrics.trades,
        "final_equity": float(result.final_equity),
        "compile_s": compile_s,
    }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _lean(data) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from bench.lean import sma_cross_loop

    opens, closes = data["open"].tolist(), data["close"].tolist()
    started = time.perf_counter()
    trades, equity = sma_cross_loop(opens, closes, float(data["cash"]))
    return {
        "seconds": time.perf_counter() - started,
        "trades": trades,
        "final_equity": equity,
        "peak_rss_mb": peak_rss_mb(),
    }


def _grid(series, config) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from tradestack.backtest.optimize.evaluate import Job
    from tradestack.backtest.optimize.local import grid_search
    from tradestack.backtest.optimize.objective import objective_named
    from tradestack.backtest.optimize.space import SearchSpace, parse_range
    from tradestack.backtest.vector.engine import compile_kernels

    compile_s = compile_kernels()
    space = SearchSpace(tuple(parse_range(r) for r in GRID_RANGES))
    started = time.perf_counter()
    results = grid_search(series, Job(config, "vector", objective_named("sharpe")), space)
    return {
        "seconds": time.perf_counter() - started,
        "points": len(results),
        "compile_s": compile_s,
    }


def child(command: list[str], timeout: float = 900) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(tail)
    return json.loads(lines[-1])


def ensure_peers() -> str | None:
    """Create the side venv once; return None if ready, else why it is not."""
    python = PEERS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import vectorbt, nautilus_trader"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return None
    console.print(f"creating {PEERS_VENV} with {', '.join(PEER_PACKAGES)} (once)...")
    steps = [
        [sys.executable, "-m", "venv", str(PEERS_VENV)],
        [str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            return (done.stderr.strip().splitlines() or ["failed"])[-1]
    return None


def measure(name: str, command: list[str], note: str = "", *, repeat: int = REPEAT) -> Run:
    """Best of ``repeat`` runs, each in a fresh process: this machine is shared and noisy."""
    try:
        out = min((child(command) for _ in range(repeat)), key=lambda o: float(o["seconds"]))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return Run(name, 0, 0.0, note=f"failed: {error}")
    return Run(
        name,
        int(out["bars"]),
        float(out["seconds"]),
        out.get("trades"),
        out.get("final_equity"),
        out.get("compile_s"),
        out.get("peak_rss_mb"),
        note,
    )


def runs_for(
    path: Path, peers: str | None, *, nautilus_path: Path | None, only_event: bool = False
) -> list[Run]:
    me = [sys.executable, "-m", "bench.backtest", "--data", str(path), "--case"]
    peer_script = str(ROOT / "bench" / "peer_cases.py")
    runs = [
        measure("tradestack event-driven", [*me, "event"], "incl. metrics, like backtesting.py"),
        measure("lean float loop", [*me, "lean"], "same strategy, floats, no objects"),
        measure("backtesting.py 0.6", [sys.executable, peer_script, "backtesting", str(path)]),
    ]
    if only_event:
        return runs
    runs.insert(
        1, measure("tradestack vectorised", [*me, "vector"], "signals + fills; metrics excluded")
    )
    side = str(PEERS_VENV / "bin" / "python")
    if peers is None:
        runs.append(
            measure(
                "vectorbt from_signals",
                [side, peer_script, "vectorbt", str(path)],
                "precomputed signals, after compile",
            )
        )
        target = nautilus_path or path
        note = "fills at the signal close; 0.5% cash kept back"
        note += f"; first {NAUTILUS_BARS:,} bars" if nautilus_path else ""
        runs.append(
            measure("nautilus_trader", [side, peer_script, "nautilus", str(target)], note, repeat=1)
        )
    else:
        runs += [
            Run("vectorbt from_signals", 0, 0.0, note=f"not installed: {peers}"),
            Run("nautilus_trader", 0, 0.0, note=f"not installed: {peers}"),
        ]
    return runs


def print_runs(title: str, runs: list[Run]) -> None:
    reference = next((r.rate for r in runs if r.name.startswith("backtesting.py") and r.bars), None)
    table = Table(title=title)
    for column in (
        "engine",
        "bars/s",
        "vs backtesting.py",
        "bars",
        "seconds",
        "trades",
        "final equity",
        "compile s",
        "peak RSS MB",
        "note",
    ):
        table.add_column(column, justify="left" if column in {"engine", "note"} else "right")
    for r in runs:
        ratio = f"{r.rate / reference:.3g}x" if reference and r.bars else ""
        table.add_row(
            r.name,
            f"{r.rate:,.0f}" if r.bars else "-",
            ratio,
            f"{r.bars:,}" if r.bars else "-",
            f"{r.seconds:.4f}" if r.bars else "-",
            _text(r.trades),
            _money(r.final_equity),
            f"{r.compile_s:.2f}" if r.compile_s is not None else "",
            _mb(r.peak_rss_mb),
            r.note,
        )
    console.print(table)


def main(*, quick: bool = False) -> None:
    if "--case" in sys.argv:
        case = sys.argv[sys.argv.index("--case") + 1]
        print(json.dumps(ours(case, sys.argv[sys.argv.index("--data") + 1])))
        return
    count = 200_000 if quick else 1_000_000
    if "--bars" in sys.argv:
        count = int(sys.argv[sys.argv.index("--bars") + 1])
    only_event = "--only-event" in sys.argv
    peers = "skipped (--no-peers)" if "--no-peers" in sys.argv or only_event else ensure_peers()
    with tempfile.TemporaryDirectory() as folder:
        paths = write_data(Path(folder), count)
        prefix = Path(folder) / "nautilus.npz"
        data = dict(np.load(paths["synthetic"]))
        np.savez(prefix, **{k: (v[:NAUTILUS_BARS] if v.ndim else v) for k, v in data.items()})
        synthetic = runs_for(paths["synthetic"], peers, nautilus_path=prefix, only_event=only_event)
        print_runs(f"SMA(10, 30) on {count:,} synthetic 1m bars", synthetic)
        if only_event:
            _event_targets(synthetic)
            return
        for name in ("GOOG", "EURUSD"):
            print_runs(
                f"SMA(10, 30) on backtesting.py's {name}",
                runs_for(paths[name], peers, nautilus_path=None),
            )
        grid = child(
            [
                sys.executable,
                "-m",
                "bench.backtest",
                "--data",
                str(paths["synthetic"]),
                "--case",
                "grid",
            ]
        )
    _targets(synthetic, grid, count)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

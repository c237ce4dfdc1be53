"""The backtest benchmark's verdicts: each figure against its target, and value formatting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from bench.backtest import Run

console = Console(width=200)


def _event_lines(by: dict[str, Run]) -> list[tuple[str, str, bool]]:
    """Issue 13's targets for the event-driven engine, as ratios from this one run."""
    event, peer, lean = (
        by["tradestack event-driven"],
        by["backtesting.py 0.6"],
        by["lean float loop"],
    )
    # The lean loop follows tradestack's rules exactly (equity too); backtesting.py's count is
    # shown for reference (it counts a few trades differently at this size, see its own row).
    same_equity = abs((event.final_equity or 0) - (lean.final_equity or 0)) < 0.01  # float sums
    agree = event.trades == lean.trades and same_equity
    return [
        (
            "event-driven >= 10x backtesting.py",
            f"{event.rate / peer.rate:.2f}x" if peer.bars and event.bars else "n/a",
            peer.bars > 0 and event.rate >= 10 * peer.rate,
        ),
        (
            "event-driven >= 40% of the lean float loop",
            f"{event.rate / lean.rate:.1%}" if lean.bars and event.bars else "n/a",
            lean.bars > 0 and event.rate >= 0.4 * lean.rate,
        ),
        (
            "event-driven peak RSS < 400 MB",
            _mb(event.peak_rss_mb),
            (event.peak_rss_mb or 1e9) < 400,
        ),
        (
            "same trades and equity: tradestack = lean loop (backtesting.py's trades)",
            f"{event.trades} = {lean.trades} ({peer.trades})",
            agree,
        ),
    ]


def _event_targets(runs: list[Run]) -> None:
    _print_targets("targets (issue 13)", _event_lines({r.name: r for r in runs}))


def _print_targets(title: str, lines: list[tuple[str, str, bool]]) -> None:
    table = Table(title=title)
    for column in ("target", "measured", "met"):
        table.add_column(column)
    for target, measured, met in lines:
        table.add_row(target, measured, "yes" if met else "NO")
    console.print(table)


def _targets(runs: list[Run], grid: dict[str, Any], count: int) -> None:
    by = {r.name: r for r in runs}
    event, vector = by["tradestack event-driven"], by["tradestack vectorised"]
    peer, vbt = by["backtesting.py 0.6"], by["vectorbt from_signals"]
    lines = [
        (
            "event-driven >= 10x backtesting.py",
            f"{event.rate / peer.rate:.2f}x" if peer.bars else "n/a",
            peer.bars > 0 and event.rate >= 10 * peer.rate,
        ),
        (
            "vectorised >= vectorbt from_signals",
            f"{vector.rate / vbt.rate:.2f}x" if vbt.bars else "n/a",
            vbt.bars > 0 and vector.rate >= vbt.rate,
        ),
        (
            f"{grid['points']}-point grid over {count:,} bars < 10 s",
            f"{float(grid['seconds']):.2f} s",
            float(grid["seconds"]) < 10,
        ),
        ("event-driven peak RSS < 1 GB", _mb(event.peak_rss_mb), (event.peak_rss_mb or 1e9) < 1024),
        (
            "vectorised peak RSS < 300 MB",
            _mb(vector.peak_rss_mb),
            (vector.peak_rss_mb or 1e9) < 300,
        ),
    ]
    _print_targets("targets (issue 6)", lines)
    _print_targets("targets (issue 13)", _event_lines(by))
    console.print(
        f"numba compile (or cache load) of tradestack's kernels: {vector.compile_s or 0:.2f} s; "
        f"vectorbt first-call overhead (its numba compile): {vbt.compile_s or 0:.2f} s"
    )


def _text(value: object) -> str:
    return "" if value is None else f"{value:,}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _mb(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"

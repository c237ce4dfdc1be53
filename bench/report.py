"""Print benchmark results as a small Rich table with ratios to a reference row."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    items: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("inf")


def print_table(title: str, unit: str, results: list[Result], reference: str) -> None:
    base = next(r for r in results if r.name == reference).rate
    table = Table(title=title)
    for column in ("case", f"{unit}/s", f"vs {reference}", "items", "seconds", "note"):
        table.add_column(column, justify="right" if column not in {"case", "note"} else "left")
    for r in results:
        table.add_row(
            r.name,
            f"{r.rate:,.0f}",
            f"{r.rate / base:.3g}x",
            f"{r.items:,}",
            f"{r.seconds:.3f}",
            r.note,
        )
    Console(width=160).print(table)


@dataclass(frozen=True, slots=True)
class LatencyResult:
    """Latency samples (ns) of one case; ``target_rate`` 0 means "as fast as it goes"."""

    name: str
    target_rate: float
    achieved_rate: float
    samples_ns: list[int]

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.samples_ns)
        index = min(round(q / 100 * (len(ordered) - 1)), len(ordered) - 1)
        return ordered[index] / 1e6


def print_latency_table(title: str, results: list[LatencyResult]) -> None:
    table = Table(title=title)
    for column in ("case", "rate/s", "samples", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for r in results:
        rate = f"{r.achieved_rate:,.0f}" if r.target_rate else "-"
        table.add_row(
            r.name,
            rate,
            f"{len(r.samples_ns):,}",
            f"{r.percentile_ms(50):.3f}",
            f"{r.percentile_ms(99):.3f}",
            f"{r.percentile_ms(100):.3f}",
        )
    Console().print(table)

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

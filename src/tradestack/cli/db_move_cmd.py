"""``tradestack db move --to URL``: copy the database elsewhere with progress, print the proof."""

from __future__ import annotations

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.progress import run_interruptible
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import MoveError
from tradestack.migrate.move import BATCH_ROWS, MoveResult, move_database
from tradestack.migrate.move_verify import TableComparison, total


class _Bars:
    """Draws one Rich progress bar per table."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.rows = 0

    def table_started(self, table: str, total: int, done: int) -> None:
        self.tasks[table] = self.progress.add_task(table, total=max(total, done), completed=done)

    def rows_copied(self, table: str, rows: int) -> None:
        self.progress.advance(self.tasks[table], rows)
        self.rows += rows


def move(
    to: str = typer.Option(
        ..., "--to", help="URL of the database to fill (empty, or a stopped move)."
    ),
    config: ConfigOption = None,
    batch_size: int = typer.Option(BATCH_ROWS, min=1, help="Rows per committed batch."),
    restart: bool = typer.Option(
        False, "--restart", help="Throw away a stopped move's rows and copy again from the start."
    ),
) -> None:
    """Copy every table to another database (SQLite <-> PostgreSQL), then prove the copy."""
    settings = settings_from(config)
    progress = Progress(
        TextColumn("{task.description:>14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    bars = _Bars(progress)
    with progress:
        result = run_interruptible(
            move_database(
                settings.database_url,
                to,
                batch_rows=batch_size,
                restart=restart,
                progress=bars,
            ),
            lambda: (
                f"kept the {bars.rows:,} rows copied in committed batches; the target stays "
                "marked incomplete; run the move again to carry on (--restart copies from scratch)"
            ),
        )
    _print_proof(result)
    rate = result.rows_copied / result.copy_seconds if result.copy_seconds else 0.0
    console.print(
        f"{'resumed: ' if result.resumed else ''}copied {result.rows_copied:,} rows in "
        f"{result.copy_seconds:.2f} s ({rate:,.0f} rows/s), verified in "
        f"{result.verify_seconds:.2f} s"
    )
    if not result.ok:
        raise MoveError(
            f"the copy in {result.target} does not match the source; it stays marked "
            "incomplete (run the move again, with --restart to copy from scratch)"
        )
    console.print(
        f"[green]{result.target} is a complete, verified copy[/] (revision {result.revision})"
    )


def _print_proof(result: MoveResult) -> None:
    table = Table(title=f"{result.source} -> {result.target}")
    table.add_column("table")
    for name in ("source rows", "target rows"):
        table.add_column(name, justify="right")
    table.add_column("digest")
    for name in ("missing", "extra", "differing"):
        table.add_column(name, justify="right")
    table.add_column("result")
    for c in result.comparisons:
        same = c.source.digest == c.target.digest
        table.add_row(
            c.table,
            f"{c.source.rows:,}",
            f"{c.target.rows:,}",
            c.source.digest if same else f"{c.source.digest}/{c.target.digest}",
            str(c.missing_in_target),
            str(c.missing_in_source),
            str(c.differing),
            "[green]match[/]" if c.ok else "[red]DIFFERENT[/]",
        )
    console.print(table)
    console.print(_sums_table(result.comparisons))
    for c in result.comparisons:
        for example in c.examples:
            console.print(f"  {c.table}: {example}")


def _sums_table(comparisons: list[TableComparison]) -> Table:
    table = Table(title="sums of numeric columns")
    table.add_column("column")
    table.add_column("source", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    for c in comparisons:
        if not c.source.rows and not c.target.rows:
            continue
        for name, value in c.source.sums.items():
            other = c.target.sums.get(name, 0)
            mark = "[green]=[/]" if value == other else "[red]!=[/]"
            table.add_row(f"{c.table}.{name}", total(value), total(other), mark)
    return table

"""``tradestack backtest``: run one backtest, compare the engines, optimise, serve as a worker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tradestack.cli import backtest_optimize_cmd
from tradestack.cli.backtest_options import backtest_config, data_source
from tradestack.cli.output import console
from tradestack.cli.progress import progress_bar
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import CommandInterrupted

if TYPE_CHECKING:
    from tradestack.backtest.metrics import Metrics
    from tradestack.backtest.result import BacktestResult

# The backtest modules (numpy, numba, pyarrow) are imported inside the commands:
# importing them here would add a second to every other ``tradestack`` command.

app = typer.Typer(help="Backtests: run, compare engines, optimise.", no_args_is_help=True)
app.command("optimize")(backtest_optimize_cmd.optimize)
app.command("worker")(backtest_optimize_cmd.worker)

Strategy = Annotated[str, typer.Option("--strategy", help="Strategy name, e.g. sma_cross.")]
Params = Annotated[
    list[str] | None, typer.Option("--param", help="NAME=VALUE, repeatable: --param fast=10.")
]
Data = Annotated[
    Path | None,
    typer.Option("--data", help="CSV or Parquet bars; without it, the stored bars are used."),
]
Symbol = Annotated[str, typer.Option("--symbol", help="Symbol of the bars, e.g. GOOG.")]
TimeframeOpt = Annotated[str, typer.Option("--timeframe", help="Bar length, e.g. 1m, 1h, 1d.")]
Start = Annotated[str | None, typer.Option("--start", help="First bar time (ISO 8601).")]
End = Annotated[str | None, typer.Option("--end", help="End time, exclusive (ISO 8601).")]
Cash = Annotated[str, typer.Option("--cash", help="Starting cash in the quote currency.")]
Fee = Annotated[str, typer.Option("--fee", help="Fee rate per fill, 0.001 = 0.1%.")]
LotSize = Annotated[str, typer.Option("--lot-size", help="Position sizes are multiples of this.")]


@app.command("run")
def run_command(
    symbol: Symbol,
    timeframe: TimeframeOpt,
    strategy: Strategy = "sma_cross",
    param: Params = None,
    data: Data = None,
    start: Start = None,
    end: End = None,
    cash: Cash = "10000",
    fee: Fee = "0.001",
    lot_size: LotSize = "1",
    engine: Annotated[str, typer.Option("--engine", help="event or vector.")] = "event",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report (or JSON: FILE.json).")
    ] = None,
    store: Annotated[bool, typer.Option(help="Keep the run in the backtests table.")] = True,
    config: ConfigOption = None,
) -> None:
    """Run one backtest; market orders fill at the next bar's open, all-in, long-only by default."""
    from tradestack.backtest.metrics import compute
    from tradestack.backtest.report import write_report
    from tradestack.backtest.service import run
    from tradestack.backtest.summary import cli_json, encode

    run_config = backtest_config(strategy, param, cash, fee, lot_size)
    series = data_source(data, symbol, timeframe, start, end, config).load()
    try:
        with progress_bar() as progress:
            result = run(series, run_config, engine, progress)
    except KeyboardInterrupt:
        raise CommandInterrupted(
            "interrupted: the backtest stopped before its end; nothing was stored"
        ) from None
    metrics = compute(result)
    if report is not None:
        write_report(report, result, metrics)
    stored = (
        asyncio.run(_store(settings_from(config).database_url, result, metrics)) if store else None
    )
    if as_json:
        typer.echo(encode(cli_json(result, metrics)).decode())
        return
    _print_summary(result, metrics)
    if stored is not None:
        console.print(f"stored as backtest {stored}")
    if report is not None:
        console.print(f"report written to {report}")


@app.command("compare")
def compare_command(
    symbol: Symbol,
    timeframe: TimeframeOpt,
    strategy: Strategy = "sma_cross",
    param: Params = None,
    data: Data = None,
    start: Start = None,
    end: End = None,
    cash: Cash = "10000",
    fee: Fee = "0.001",
    lot_size: LotSize = "1",
    config: ConfigOption = None,
) -> None:
    """Run the event-driven and vectorised engines on the same bars and print every difference."""
    from tradestack.backtest.service import run_both

    run_config = backtest_config(strategy, param, cash, fee, lot_size)
    series = data_source(data, symbol, timeframe, start, end, config).load()
    comparison, _event = run_both(series, run_config)
    left, right = comparison.trades
    console.print(
        f"event: {left} trades; vector: {right} trades; "
        f"largest equity gap {comparison.max_equity_difference:.3g}"
    )
    for difference in comparison.differences:
        console.print(f"  {difference}")
    if not comparison.agree:
        raise typer.Exit(1)
    console.print("the engines agree: same trades, equity within 1e-9 relative")


async def _store(url: str, result: BacktestResult, metrics: Metrics) -> int:
    from tradestack.backtest.store import save_run
    from tradestack.storage.database import Database

    db = Database(url)
    try:
        await db.check()
        return await save_run(db, result, metrics)
    finally:
        await db.dispose()


def _print_summary(result: BacktestResult, metrics: Metrics) -> None:
    traded = result.traded
    rate = result.bars / result.elapsed_s if result.elapsed_s else float("inf")
    compile_note = (
        f", numba compile/load {result.compile_s:.2f} s" if result.engine == "vector" else ""
    )
    console.print(
        f"{result.config.strategy} {dict(result.config.params)} on {traded.symbol} "
        f"{traded.timeframe}: {result.bars:,} bars in {result.elapsed_s:.3f} s "
        f"({rate:,.0f} bars/s, {result.engine} engine{compile_note})"
    )
    table = Table("metric", "value")
    for key, value in metrics.as_dict().items():
        table.add_row(key, _show(value))
    console.print(table)


def _show(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4f}"
    return str(value)

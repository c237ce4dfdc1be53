"""``tradestack analytics``: performance per trader and per strategy, and stored windows."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import typer
from rich.table import Table

from tradestack.analytics.performance import (
    Performance,
    strategy_performance,
    trader_performance,
)
from tradestack.analytics.store import store_performance, stored_windows, summary
from tradestack.cli.database import parse_bound, run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.display import format as fmt
from tradestack.storage.database import Database
from tradestack.storage.repositories.traders import list_traders

app = typer.Typer(
    help="Analytics: win rate, profit factor, Sharpe, drawdown, exposure, fees, slippage.",
    invoke_without_command=True,
)
FromOption = typer.Option(None, "--from", help="Window start, ISO date or time (UTC).")
ToOption = typer.Option(None, "--to", help="Last day (inclusive) or time (exclusive).")
JsonOption = typer.Option(False, "--json")
StoreOption = typer.Option(False, "--store", help="Keep the window in model_performance.")


@app.callback()
def overview(
    ctx: typer.Context,
    start: str | None = FromOption,
    end: str | None = ToOption,
    config: ConfigOption = None,
) -> None:
    """Without a subcommand: one line of figures per trader."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(config)
    window = parse_bound(start, "--from"), parse_bound(end, "--to", end=True)

    async def every_trader(db: Database) -> list[Performance]:
        async with db.read() as connection:
            names = [t.trader_id for t in await list_traders(connection)]
        return [await trader_performance(db, n, start=window[0], end=window[1]) for n in names]

    _table(run_with_database(settings, every_trader))


@app.command("trader")
def trader(
    name: str,
    start: str | None = FromOption,
    end: str | None = ToOption,
    as_json: bool = JsonOption,
    store: bool = StoreOption,
    config: ConfigOption = None,
) -> None:
    """Figures of one trader over a window."""
    _one(trader_performance, name, start, end, as_json=as_json, store=store, config=config)


@app.command("strategy")
def strategy(
    name: str,
    start: str | None = FromOption,
    end: str | None = ToOption,
    as_json: bool = JsonOption,
    store: bool = StoreOption,
    config: ConfigOption = None,
) -> None:
    """Figures pooled over every trader running a strategy."""
    _one(strategy_performance, name, start, end, as_json=as_json, store=store, config=config)


def _one(
    compute: Callable[..., Awaitable[Performance]],
    name: str,
    start: str | None,
    end: str | None,
    *,
    as_json: bool,
    store: bool,
    config: Path | None,
) -> None:
    settings = settings_from(config)
    window = parse_bound(start, "--from"), parse_bound(end, "--to", end=True)

    async def run(db: Database) -> Performance:
        perf = await compute(db, name, start=window[0], end=window[1])
        if store:
            await store_performance(db, perf)
        return perf

    _show(run_with_database(settings, run), as_json)


@app.command("windows")
def windows(
    name: str | None = typer.Option(None, "--name"),
    limit: int = typer.Option(20, "--limit", "-n"),
    config: ConfigOption = None,
) -> None:
    """Stored performance windows, newest first."""
    settings = settings_from(config)
    rows = run_with_database(settings, lambda db: stored_windows(db, name=name, limit=limit))
    table = Table("scope", "name", "from", "to", "trades", "win rate", "net PnL", "max DD")
    for row in rows:
        table.add_row(
            row["scope"],
            row["name"],
            f"{row['window_start']:%Y-%m-%d %H:%M}",
            f"{row['window_end']:%Y-%m-%d %H:%M}",
            str(row["trades"]),
            _pct(row["win_rate"]),
            fmt.money(row["net_pnl"], sign=True),
            _pct(row["max_drawdown_pct"]),
        )
    console.print(table)


def _pct(value: float | None) -> str:
    """A fraction (0.25) shown as a percentage with the shared rules (25.00 %)."""
    return fmt.percent(value * 100) if value is not None else fmt.DASH


def _ratio(value: float | None) -> str:
    return fmt.fixed(value, 2)


def _table(performances: list[Performance]) -> None:
    table = Table(
        "name", "trades", "win rate", "profit factor", "Sharpe", "max DD", "exposure", "net PnL"
    )
    for perf in performances:
        table.add_row(
            perf.name,
            str(perf.trades),
            _pct(perf.win_rate),
            _ratio(perf.profit_factor),
            _ratio(perf.sharpe),
            _pct(perf.max_drawdown_pct),
            _pct(perf.exposure_pct),
            fmt.money(perf.net_pnl, sign=True),
        )
    console.print(table)


def _show(perf: Performance, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary(perf), indent=2))
        return
    _table([perf])
    console.print(
        f"fees paid {fmt.money(perf.fees_paid)}, realized PnL after fees "
        f"{fmt.money(perf.realized_pnl, sign=True)}, "
        f"slippage {_ratio(perf.slippage_bps)} bps, "
        f"{len(perf.equity_curve)} equity points over {len(perf.daily_pnl)} day(s)"
    )

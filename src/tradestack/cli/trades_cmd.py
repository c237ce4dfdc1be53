"""``tradestack trades``: closed trades (round trips) with net and gross PnL, and breakdowns."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

import typer
from rich.table import Table

from tradestack.analytics.results import TradePage, closed_trades, performance_by
from tradestack.cli.database import parse_bound, run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.display import format as fmt
from tradestack.display.records import figure_fields, trade_fields
from tradestack.portfolio.trades import Trade


def trades(
    trader: str | None = typer.Option(None, "--trader", help="Only this trader."),
    symbol: str | None = typer.Option(None, "--symbol", help="Only this symbol (BTC/USDT)."),
    start: str | None = typer.Option(None, "--from", help="Exits at or after (ISO, UTC)."),
    end: str | None = typer.Option(None, "--to", help="Exits up to this day or before a time."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Newest N trades."),
    offset: int = typer.Option(0, "--offset", min=0),
    by: str | None = typer.Option(
        None, "--by", help="Sum up per symbol, strategy or trader instead of listing trades."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    config: ConfigOption = None,
) -> None:
    """Closed trades newest first: entry, exit, quantity, net PnL after fees, gross, duration."""
    settings = settings_from(config)
    if by is not None:
        if by not in ("symbol", "strategy", "trader"):
            raise typer.BadParameter("--by takes symbol, strategy or trader")
        grouping: Literal["symbol", "strategy", "trader"] = by  # type: ignore[assignment]
        groups = run_with_database(settings, lambda db: performance_by(db, grouping))
        if as_json:
            print(json.dumps([_group_json(g) for g in groups], indent=2, default=str))
            return
        table = Table(by, "trades", "win rate", "profit factor", "net PnL", "gross PnL", "fees")
        for group in groups:
            shown = figure_fields(group)
            table.add_row(
                group.key,
                str(group.trades),
                shown["win_rate"],
                shown["profit_factor"],
                shown["net_pnl"],
                shown["gross_pnl"],
                shown["fees"],
            )
        console.print(table)
        return
    window = parse_bound(start, "--from"), parse_bound(end, "--to", end=True)
    page: TradePage = run_with_database(
        settings,
        lambda db: closed_trades(
            db,
            trader_id=trader,
            symbol=symbol,
            since=window[0],
            until=window[1],
            limit=limit,
            offset=offset,
        ),
    )
    if as_json:
        body = {"items": [trade_json(t) for t in page.items], "total": page.total}
        print(json.dumps(body, indent=2))
        return
    _print_table(page)


def trade_json(trade: Trade) -> dict[str, Any]:
    """A closed trade as JSON: money as strings keeps every Decimal digit."""
    return {
        "trader_id": trade.trader_id,
        "symbol": trade.symbol,
        "side": trade.side,
        "entry_time": trade.entry_time.isoformat(),
        "exit_time": trade.exit_time.isoformat(),
        "entry_price": str(trade.entry_price),
        "exit_price": str(trade.exit_price),
        "quantity": str(trade.size),
        "gross_pnl": str(trade.gross_pnl),
        "fees": str(trade.fees),
        "net_pnl": str(trade.pnl),
        "profit_pct": round(trade.return_pct, 4),
        "duration_s": trade.duration.total_seconds(),
        "exit_reason": trade.exit_reason,
    }


def _group_json(group: Any) -> dict[str, Any]:
    return {
        name: str(getattr(group, name)) if name in ("net_pnl", "gross_pnl", "fees") else value
        for name, value in ((n, getattr(group, n)) for n in group.__slots__)
    }


def _print_table(page: TradePage) -> None:
    table = Table(
        "exit",
        "trader",
        "symbol",
        "side",
        "qty",
        "entry",
        "exit price",
        "net PnL",
        "gross PnL",
        "fees",
        "profit",
        "duration",
        "reason",
    )
    for trade in page.items:
        shown = trade_fields(trade)
        table.add_row(
            shown["exit_time"],
            trade.trader_id,
            trade.symbol,
            trade.side,
            shown["quantity"],
            shown["entry_price"],
            shown["exit_price"],
            shown["net_pnl"],
            shown["gross_pnl"],
            shown["fees"],
            shown["profit_pct"],
            shown["duration"],
            trade.exit_reason,
        )
    console.print(table)
    net = sum((t.pnl for t in page.items), start=Decimal(0))
    console.print(
        f"{len(page.items)} of {page.total} closed trade(s) shown; net PnL of these "
        f"{fmt.money(net, sign=True)} after fees"
    )

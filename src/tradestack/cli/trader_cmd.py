"""``tradestack trader``: add, list, start, stop (or emergency-stop) and remove traders.

These commands edit the stored definitions; a running platform picks the
change up within a second.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import typer
from rich.table import Table

from tradestack.cli.database import run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.cli.strategy_path_option import StrategyPathOption
from tradestack.compliance.actions import cli_actor, record_manual_action
from tradestack.errors import ConfigError
from tradestack.storage.database import Database
from tradestack.storage.repositories.portfolio import list_balances, list_positions
from tradestack.traders import admin
from tradestack.traders.spec import ACTIVE, HALTED, STOPPED, TraderSpec

app = typer.Typer(help="Traders: add, list, start, stop, remove.", no_args_is_help=True)


def parse_pairs(pairs: list[str], what: str) -> dict[str, Any]:
    """Turn ``["fast=10", "slow=30"]`` into a dict; values stay strings for typed coercion."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"{what} {pair!r} must look like name=value")
        out[key.strip()] = value.strip()
    return out


async def _recorded(
    db: Database, action: str, name: str, change: Any, details: dict[str, Any] | None = None
) -> Any:
    """Await ``change``, then put who did it on the audit trail."""
    result = await change
    await record_manual_action(
        db, actor=cli_actor(), action=action, target=name, details=details, source="cli"
    )
    return result


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Trader name (letters, digits, . _ -)."),
    strategy: str = typer.Option("sma_cross", "--strategy", "-s"),
    param: list[str] = typer.Option([], "--param", "-p", help="Strategy parameter name=value."),
    symbol: str = typer.Option("BTC/USDT", "--symbol"),
    timeframe: str = typer.Option("1m", "--timeframe", "-t"),
    cash: str = typer.Option("10000", "--cash", help="Starting cash in the quote asset."),
    account: str = typer.Option("default", "--account", help="Venue account shared for limits."),
    risk: list[str] = typer.Option(
        [], "--risk", help="Risk override, e.g. daily_loss_limit_usd=500."
    ),
    paper: list[str] = typer.Option([], "--paper", help="Paper venue override, e.g. leverage=3."),
    stopped: bool = typer.Option(False, "--stopped", help="Store it without starting it."),
    strategy_path: StrategyPathOption = None,
    config: ConfigOption = None,
) -> None:
    """Define a new trader (started by a running platform unless --stopped)."""
    settings = settings_from(config)
    try:
        starting_cash = Decimal(cash)
    except InvalidOperation:
        raise ConfigError(f"--cash {cash!r} is not a number") from None
    spec = TraderSpec(
        trader_id=name,
        strategy=strategy,
        params=parse_pairs(param, "--param"),
        symbol=symbol,
        timeframe=timeframe,
        account_id=account,
        starting_cash=starting_cash,
        risk=parse_pairs(risk, "--risk"),
        paper=parse_pairs(paper, "--paper"),
        status=STOPPED if stopped else ACTIVE,
    )
    run_with_database(
        settings,
        lambda db: _recorded(db, "trader.add", name, admin.add_trader(db, settings, spec)),
    )
    console.print(f"trader [bold]{name}[/] added ({spec.status})")


@app.command("list")
def list_(config: ConfigOption = None) -> None:
    """List traders with their status, position count and cash."""
    settings = settings_from(config)

    async def read(db: Database) -> tuple[list[TraderSpec], Any, Any]:
        specs = await admin.stored_traders(db)
        async with db.read() as connection:
            return (
                specs,
                await list_balances(connection),
                await list_positions(connection, open_only=True),
            )

    specs, balances, positions = run_with_database(settings, read)
    table = Table("trader", "status", "strategy", "market", "account", "open positions", "cash")
    for spec in specs:
        cash = next(iter(balances.get(spec.trader_id, {}).values()), (None, None))[0]
        count = sum(1 for p in positions if p.trader_id == spec.trader_id)
        params = ", ".join(f"{k}={v}" for k, v in spec.params.items())
        table.add_row(
            spec.trader_id,
            spec.status,
            f"{spec.strategy}({params})",
            f"{spec.symbol} {spec.timeframe}",
            spec.account_id,
            str(count),
            f"{cash:.2f}" if cash is not None else "-",
        )
    console.print(table)


@app.command("start")
def start(name: str, config: ConfigOption = None) -> None:
    """Mark a trader active (also lifts a halt)."""
    settings = settings_from(config)
    run_with_database(
        settings,
        lambda db: _recorded(db, "trader.start", name, admin.set_status(db, name, ACTIVE)),
    )
    console.print(f"trader [bold]{name}[/] is active")


@app.command("reload")
def reload(name: str, config: ConfigOption = None) -> None:
    """Reload a paper trader's strategy (re-read its file) at the next bar, positions kept."""
    settings = settings_from(config)
    spec = run_with_database(
        settings,
        lambda db: _recorded(db, "trader.reload", name, admin.request_reload(db, name)),
    )
    console.print(
        f"trader [bold]{name}[/] reloads {spec.strategy} at its next bar "
        f"(revision {spec.strategy_revision})"
    )


@app.command("stop")
def stop(
    name: str,
    emergency: bool = typer.Option(False, "--emergency", help="Cancel open orders and halt."),
    flatten: bool = typer.Option(False, "--flatten", help="With --emergency: close positions."),
    config: ConfigOption = None,
) -> None:
    """Stop a trader; --emergency cancels its orders and halts it (kill switch)."""
    if flatten and not emergency:
        raise ConfigError("--flatten only goes with --emergency")
    settings = settings_from(config)
    status = HALTED if emergency else STOPPED
    action = "trader.emergency_stop" if emergency else "trader.stop"
    run_with_database(
        settings,
        lambda db: _recorded(
            db,
            action,
            name,
            admin.set_status(db, name, status, flatten=flatten),
            {"flatten": flatten},
        ),
    )
    what = (
        "halted (orders canceled" + (", positions closing)" if flatten else ")")
        if emergency
        else "stopped"
    )
    console.print(f"trader [bold]{name}[/] {what}")


@app.command("remove")
def remove(name: str, config: ConfigOption = None) -> None:
    """Delete a trader's definition; its orders and fills stay in the history."""
    settings = settings_from(config)
    run_with_database(
        settings,
        lambda db: _recorded(db, "trader.remove", name, admin.remove_trader(db, name)),
    )
    console.print(f"trader [bold]{name}[/] removed")

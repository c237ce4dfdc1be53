"""Entry point: the Typer app and the boundary that turns our errors into one-line exits."""

from __future__ import annotations

import logging

import typer

from tradestack import __version__
from tradestack.cli import (
    alerts_cmd,
    analytics_cmd,
    assistant_cmd,
    audit_cmd,
    backtest_cmd,
    config_cmd,
    config_migrate_cmd,
    data_cmd,
    db_cmd,
    mcp_cmd,
    migrate_cmd,
    model_cmd,
    run_cmd,
    service_cmd,
    strategy_cmd,
    token_cmd,
    trader_cmd,
    trades_cmd,
)
from tradestack.cli.output import errors, fail
from tradestack.errors import CommandInterrupted, TradestackError

app = typer.Typer(
    name="tradestack",
    help="Self-hosted algorithmic trading: data, strategies, paper/live execution, API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("run")(run_cmd.run)
app.command("service")(service_cmd.service)
app.command("up")(service_cmd.up)
app.command("trades")(trades_cmd.trades)
app.add_typer(db_cmd.app, name="db")
app.add_typer(data_cmd.app, name="data")
app.add_typer(config_cmd.app, name="config")
app.add_typer(trader_cmd.app, name="trader")
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(analytics_cmd.app, name="analytics")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(backtest_cmd.app, name="backtest")
app.add_typer(migrate_cmd.app, name="migrate")
config_cmd.app.command("migrate")(config_migrate_cmd.migrate)
app.add_typer(token_cmd.app, name="token")
app.command("ask")(assistant_cmd.ask)
app.add_typer(assistant_cmd.app, name="assistant")
app.command("mcp")(mcp_cmd.mcp)
app.add_typer(strategy_cmd.app, name="strategy")
app.add_typer(model_cmd.app, name="model")


@app.command("version")
def version() -> None:
    """Print the tradestack version."""
    typer.echo(__version__)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except CommandInterrupted as error:
        errors.print(str(error), soft_wrap=True, markup=False)
        raise SystemExit(error.exit_code) from None
    except TradestackError as error:
        fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)

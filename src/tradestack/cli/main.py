"""Entry point: the Typer app and the boundary that turns our errors into one-line exits."""

from __future__ import annotations

import logging

import typer

from tradestack import __version__
from tradestack.cli import config_cmd, data_cmd, db_cmd, migrate_cmd, run_cmd
from tradestack.cli.output import fail
from tradestack.errors import TradestackError

app = typer.Typer(
    name="tradestack",
    help="Self-hosted algorithmic trading: data, strategies, paper/live execution, API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("run")(run_cmd.run)
app.add_typer(db_cmd.app, name="db")
app.add_typer(data_cmd.app, name="data")
app.add_typer(config_cmd.app, name="config")
app.add_typer(migrate_cmd.app, name="migrate")


@app.command("version")
def version() -> None:
    """Print the tradestack version."""
    typer.echo(__version__)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except TradestackError as error:
        fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)

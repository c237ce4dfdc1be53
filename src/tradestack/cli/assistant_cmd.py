"""``tradestack ask`` and ``tradestack assistant``: the assistant from a shell.

Without a running platform: the tools read the database, and a confirmed
write edits the stored trader definitions (a running platform converges to
them within a second). Answering a confirmation needs a token whose role
allows the action.
"""

from __future__ import annotations

from typing import Any

import typer

from tradestack.assistant.confirmations import Confirmations, Proposal
from tradestack.assistant.engine import Answer
from tradestack.assistant.factory import build_assistant, build_confirmations
from tradestack.assistant.platform import StoredPlatform
from tradestack.auth.roles import Principal
from tradestack.auth.tokens import TokenVerifier
from tradestack.cli.database import run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.compliance.actions import cli_actor
from tradestack.config.settings import Settings
from tradestack.llm.errors import ConfirmationForbiddenError
from tradestack.storage.database import Database

app = typer.Typer(
    help="The assistant's pending confirmations: list, confirm, reject.", no_args_is_help=True
)
TokenOption = typer.Option(..., "--token", help="An API token whose role allows the action.")


def ask(
    question: str = typer.Argument(..., help="A question in plain words."),
    config: ConfigOption = None,
) -> None:
    """Ask the assistant about traders, positions, orders, PnL, alerts or why a trade happened."""
    settings = settings_from(config)

    async def run(db: Database) -> Answer:
        assistant = build_assistant(StoredPlatform(settings, db))
        try:
            return await assistant.ask(question, actor=cli_actor())
        finally:
            await assistant.client.close()

    answer = run_with_database(settings, run)
    console.print(answer.text, markup=False)
    for proposal in answer.proposals:
        _print_proposal(proposal)


def _print_proposal(p: Proposal) -> None:
    console.print(
        f"[yellow]proposed[/] {p.tool} {p.arguments} (needs {p.required_role}); "
        f"confirm with: tradestack assistant confirm {p.confirmation_id} --token TOKEN "
        f"(expires {p.expires_at:%H:%M:%S} UTC, hash {p.params_hash[:12]})"
    )


@app.command("pending")
def pending(config: ConfigOption = None) -> None:
    """List proposals waiting for an answer."""
    settings = settings_from(config)
    found = run_with_database(settings, lambda db: _confirmations(settings, db).pending())
    for proposal in found:
        _print_proposal(proposal)
    if not found:
        console.print("Nothing waits for confirmation.")


async def _principal(settings: Settings, db: Database, token: str) -> Principal:
    bootstrap = settings.api_token.get_secret_value() if settings.api_token else None
    principal = await TokenVerifier(db, bootstrap_token=bootstrap, cache_s=0).verify(token)
    if principal is None:
        raise ConfirmationForbiddenError("unknown or revoked token")
    return principal


def _confirmations(settings: Settings, db: Database) -> Confirmations:
    return build_confirmations(StoredPlatform(settings, db))


def _decide(confirmation_id: str, token: str, config: Any, confirm: bool) -> Proposal:
    settings = settings_from(config)

    async def run(db: Database) -> Proposal:
        principal = await _principal(settings, db, token)
        confirmations = _confirmations(settings, db)
        if confirm:
            return await confirmations.confirm(confirmation_id, principal, channel="cli")
        return await confirmations.reject(confirmation_id, principal, channel="cli")

    return run_with_database(settings, run)


@app.command("confirm")
def confirm(
    confirmation_id: str = typer.Argument(...),
    token: str = TokenOption,
    config: ConfigOption = None,
) -> None:
    """Run a proposed action once, with exactly the arguments that were proposed."""
    done = _decide(confirmation_id, token, config, confirm=True)
    colour = "green" if done.status == "executed" else "red"
    console.print(f"[{colour}]{done.status}[/] {done.tool} {done.arguments}: {done.result}")


@app.command("reject")
def reject(
    confirmation_id: str = typer.Argument(...),
    token: str = TokenOption,
    config: ConfigOption = None,
) -> None:
    """Refuse a proposed action; it can never run afterwards."""
    done = _decide(confirmation_id, token, config, confirm=False)
    console.print(f"rejected {done.tool} {done.arguments}")

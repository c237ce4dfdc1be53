"""``tradestack token``: create, list and revoke API tokens (stored hashed)."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from rich.table import Table

from tradestack.auth import tokens
from tradestack.auth.roles import Role
from tradestack.cli.output import console, errors
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.storage import migrations
from tradestack.storage.database import Database

app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


async def _with_db(settings: Settings, action: Any) -> Any:
    db = Database(settings.database_url)
    try:
        await db.check()
        await migrations.upgrade(db.engine)
        return await action(db)
    finally:
        await db.dispose()


@app.command("create")
def create(
    name: str = typer.Option(..., "--name", "-n", help="Who holds it (letters, digits, . _ @ -)."),
    role: str = typer.Option("viewer", "--role", "-r", help="viewer, trader or admin."),
    expires_in: str | None = typer.Option(
        None, "--expires-in", help="Life of the token, e.g. 30m, 1h, 7d (default: no expiry)."
    ),
    trader: list[str] = typer.Option(
        [], "--trader", "-t", help="Limit the token to this trader (repeatable; default: all)."
    ),
    config: ConfigOption = None,
) -> None:
    """Create a token and print it once; only its hash is stored."""
    try:
        parsed = Role.parse(role)
    except ValueError as error:
        raise ConfigError(f"--role: {error}") from None
    expires_in_s = tokens.parse_duration_s(expires_in) if expires_in is not None else None
    settings = settings_from(config)
    info, secret = asyncio.run(
        _with_db(
            settings,
            lambda db: tokens.create_token(
                db, name=name, role=parsed, expires_in_s=expires_in_s, trader_ids=tuple(trader)
            ),
        )
    )
    scope = f"; traders {', '.join(info.trader_ids)}" if info.trader_ids else ""
    expiry = f"; expires {info.expires_at:%Y-%m-%d %H:%M:%S} UTC" if info.expires_at else ""
    errors.print(
        f"token {info.token_id} for [bold]{info.name}[/] (role {info.role.label}{scope}{expiry}); "
        "store it now, it is not shown again:"
    )
    typer.echo(secret)


@app.command("list")
def list_(config: ConfigOption = None) -> None:
    """List tokens (never their secrets)."""
    settings = settings_from(config)
    found: list[tokens.TokenInfo] = asyncio.run(_with_db(settings, tokens.list_tokens))
    table = Table("id", "name", "role", "traders", "created", "expires", "revoked")
    for info in found:
        table.add_row(
            info.token_id,
            info.name,
            info.role.label,
            ", ".join(info.trader_ids) or "all",
            info.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            info.expires_at.strftime("%Y-%m-%d %H:%M:%S") if info.expires_at else "-",
            info.revoked_at.strftime("%Y-%m-%d %H:%M:%S") if info.revoked_at else "-",
        )
    console.print(table)


@app.command("revoke")
def revoke(
    id_or_name: str = typer.Argument(..., help="A token id, or a name (revokes all its tokens)."),
    config: ConfigOption = None,
) -> None:
    """Revoke tokens; a running gateway refuses them within TRADESTACK_API__TOKEN_CACHE_S."""
    settings = settings_from(config)
    count = asyncio.run(_with_db(settings, lambda db: tokens.revoke_token(db, id_or_name)))
    console.print(f"revoked {count} token(s)")

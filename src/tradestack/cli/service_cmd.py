"""``tradestack service NAME`` and ``tradestack up --services``: the services shape."""

from __future__ import annotations

import asyncio

import typer

from tradestack.api.security import check_exposure
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import ConfigError
from tradestack.kernel import prepare_database
from tradestack.services import SERVICE_NAMES
from tradestack.services.process import serve
from tradestack.services.supervisor import Supervisor
from tradestack.storage.database import Database


def service(
    name: str = typer.Argument(..., help=f"One of: {', '.join(SERVICE_NAMES)}."),
    config: ConfigOption = None,
) -> None:
    """Run one service in this process (for systemd, Kubernetes, a Procfile)."""
    if name not in SERVICE_NAMES:
        raise ConfigError(f"unknown service {name!r} (services: {', '.join(SERVICE_NAMES)})")
    settings = settings_from(config)
    if settings.event_bus == "memory":
        raise ConfigError(
            "services need a shared event bus: set TRADESTACK_EVENT_BUS=redis or nats "
            "and TRADESTACK_BUS_URL"
        )
    if name == "gateway":
        check_exposure(settings)
    asyncio.run(serve(name, settings))


def up(
    services: bool = typer.Option(False, "--services", help="Run every service as a process."),
    config: ConfigOption = None,
) -> None:
    """Start the platform: the services shape with --services, else the all-in-one shape."""
    if not services:
        from tradestack.cli.run_cmd import run

        run(config=config, host=None, port=None, home=None)
        return
    settings = settings_from(config)
    if settings.event_bus == "memory":
        raise ConfigError(
            "the services shape needs TRADESTACK_EVENT_BUS=redis or nats (and TRADESTACK_BUS_URL)"
        )
    check_exposure(settings)

    async def prepare() -> None:
        db = Database(settings.database_url)
        try:
            await prepare_database(settings, db)
        finally:
            await db.dispose()

    asyncio.run(prepare())
    console.print(
        f"[bold]tradestack services[/]: {', '.join(SERVICE_NAMES)}; API on "
        f"http://{settings.api_host}:{settings.api_port}/api/v1 (Ctrl-C drains and stops)"
    )
    asyncio.run(Supervisor(settings, SERVICE_NAMES, report=console.print).run())

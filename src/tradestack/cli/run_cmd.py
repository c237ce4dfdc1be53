"""``tradestack run``: the all-in-one shape, one process, with a live summary line."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import typer
import uvicorn

from tradestack import __version__
from tradestack.api.app import build_api
from tradestack.api.security import check_exposure
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.reload import SettingsReloader
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.kernel import Kernel
from tradestack.storage import migrations
from tradestack.storage.engine import describe_url
from tradestack.traders.spec import TraderSpec


def run(
    config: ConfigOption = None,
    host: str | None = typer.Option(None, help="API host (default: TRADESTACK_API_HOST)."),
    port: int | None = typer.Option(None, help="API port (default: TRADESTACK_API_PORT)."),
    home: Path | None = typer.Option(None, help="Data folder (default: TRADESTACK_HOME)."),
) -> None:
    """Run everything in one process: data, a paper trader, and the API on SQLite."""
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["api_host"] = host
    if port is not None:
        overrides["api_port"] = port
    if home is not None:
        overrides["home"] = home

    def load() -> Settings:
        settings = settings_from(config).model_copy(update=overrides)
        if home is not None and "sqlite" in settings.database_url:
            url = f"sqlite+aiosqlite:///{(home / 'tradestack.db').as_posix()}"
            settings = settings.model_copy(update={"database_url": url})
        return settings

    settings = load()
    check_exposure(settings)
    check_port_free(settings.api_host, settings.api_port)
    kernel = Kernel.build(settings)
    try:
        asyncio.run(_serve(kernel, load))
    except KeyboardInterrupt:
        # The server re-raises Ctrl-C after its graceful shutdown; that is a clean stop.
        if not kernel.stopped:
            raise


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another process listens on; accept one left in TIME_WAIT by a last run.

    The probe binds and listens with SO_REUSEADDR, as uvicorn does, so it agrees
    with the server about what is free (Linux still refuses a live listener).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen()
        except OSError as error:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({error.strerror}); "
                "set TRADESTACK_API_PORT or pass --port"
            ) from None


async def _serve(kernel: Kernel, load: Callable[[], Settings]) -> None:
    settings = kernel.settings
    await kernel.prepare()
    reloader = SettingsReloader(settings, load)
    reloader.subscribe(kernel.apply_settings)
    with contextlib.suppress(NotImplementedError):  # no SIGHUP on this platform
        reloader.install_signal_handler(asyncio.get_running_loop())
    _print_banner(kernel, await migrations.current(kernel.db.engine), await kernel.traders.specs())
    summary: asyncio.Task[None] | None = None

    async def on_start(k: Kernel) -> None:
        nonlocal summary
        await k.start()
        summary = asyncio.create_task(_summarise(k))

    async def on_stop(k: Kernel) -> None:
        if summary is not None:
            summary.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await summary
        last = _summary_line(k)
        await k.stop()
        _print_final(last)

    app = build_api(kernel, on_start=on_start, on_stop=on_stop)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.api_host,
            port=settings.api_port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    await server.serve()


def _print_banner(kernel: Kernel, revision: str | None, specs: list[TraderSpec]) -> None:
    s = kernel.settings
    base = f"http://{s.api_host}:{s.api_port}"
    backfill = kernel.backfill
    history = (
        f"{backfill.symbol} {backfill.timeframe}: {backfill.total} bars stored "
        f"({backfill.stored} new)"
        if backfill
        else "-"
    )
    console.print(f"[bold]tradestack {__version__}[/] - all-in-one shape")
    console.print(f"  database  {describe_url(s.database_url)} (revision {revision})")
    console.print(f"  history   {history}")
    for spec in specs:
        params = " ".join(f"{k}={v}" for k, v in spec.params.items()) or "default parameters"
        console.print(
            f"  trader    {spec.trader_id}: {spec.strategy} ({params}) on {spec.symbol} "
            f"{spec.timeframe}, paper venue, {spec.status}"
        )
    console.print(f"  replay    one bar every {s.run.replay_interval_s} s per series")
    console.print(f"  API       {base}/api/v1   docs {base}/docs   dashboard {base}/")
    reads = (
        "reads open from this machine"
        if s.api.anonymous_read == "loopback"
        else "reads need a token"
    )
    console.print(
        f"  auth      {reads}; changes need a token "
        "(tradestack token create --role admin --name you)"
    )
    console.print("  Ctrl-C to stop")


def _summary_line(kernel: Kernel) -> str:
    parts = [f"bars {kernel.feed.bars_published}"]
    for trader in kernel.traders.summary_list():
        equity = Decimal(trader["equity"]).quantize(Decimal("0.01"))
        parts.append(
            f"{trader['trader_id']}: orders {trader['orders_submitted']} "
            f"(filled {trader['orders_filled']}), open positions {trader['open_positions']}, "
            f"equity {equity}"
        )
    return " | ".join(parts)


async def _summarise(kernel: Kernel) -> None:
    interval = kernel.settings.run.summary_interval_s
    interactive = console.is_terminal
    ticks = 0
    while True:
        await asyncio.sleep(interval)
        ticks += 1
        line = _summary_line(kernel)
        if interactive:
            sys.stdout.write("\r\x1b[2K" + line)
            sys.stdout.flush()
        elif ticks % 5 == 0:
            print(line, flush=True)


def _print_final(last_summary: str) -> None:
    if console.is_terminal:
        sys.stdout.write("\n")
    print("stopped: " + last_summary, flush=True)

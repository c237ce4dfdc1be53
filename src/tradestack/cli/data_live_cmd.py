"""``tradestack data live``: publish closed bars as ``market.bar`` once backfill is complete."""

from __future__ import annotations

import asyncio
import logging

import typer

from tradestack.cli.data_options import open_database, timeframe
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import ProviderError

log = logging.getLogger(__name__)


def live(
    symbol: list[str] = typer.Option(
        [], "--symbol", "-s", help="Repeat for several (default: data.symbols or run.symbol)."
    ),
    timeframe_: str = typer.Option("1m", "--timeframe", "-t"),
    provider: str | None = typer.Option(
        None, "--provider", help="synthetic or ccxt (default: data.provider)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Start without waiting for complete backfill."
    ),
    reason: str = typer.Option(
        "forced from the command line", "--reason", help="Logged with --force."
    ),
    max_bars: int | None = typer.Option(
        None, "--bars", min=1, help="Stop after publishing this many bars."
    ),
    config: ConfigOption = None,
) -> None:
    """Stream live bars into storage and onto the event bus, gated on backfill completion."""
    from tradestack.bus.factory import build_bus
    from tradestack.marketdata.live import BackfillGate, LiveFeed
    from tradestack.marketdata.providers.factory import build_provider

    settings = settings_from(config)
    label = timeframe(timeframe_)
    symbols = symbol or settings.data.symbols or [settings.run.symbol]
    series = [(s, label) for s in symbols]
    source = build_provider(settings.data, provider, seed=settings.run.seed)
    logging.getLogger("tradestack").setLevel(logging.INFO)

    async def go() -> int:
        db = await open_database(settings.database_url)
        bus = build_bus(settings)
        gate = BackfillGate(db, series, poll_s=settings.data.gate_poll_s)
        feed = LiveFeed(
            db=db,
            bus=bus,
            provider=source,
            series=series,
            gate=gate,
            force_reason=reason if force else None,
        )
        try:
            await bus.start()
            await feed.start()
            if not force and (waiting := await gate.incomplete()):
                console.print(
                    "waiting for complete backfill of "
                    + ", ".join(f"{s} {t}" for s, t in waiting)
                    + " (run 'tradestack data download', or --force)"
                )
            while max_bars is None or feed.bars_published < max_bars:
                await asyncio.sleep(0.05)
                if feed.fault:
                    raise ProviderError(f"live feed stopped: {feed.fault}")
            return feed.bars_published
        finally:
            await feed.stop()
            await bus.close()
            await source.close()
            await db.dispose()

    published = asyncio.run(go())
    console.print(f"published {published} live bar(s) of {', '.join(symbols)} {label}")

"""``tradestack data``: import files, backfill synthetic history, list stored series."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import ConfigError
from tradestack.marketdata.ingest import IngestResult, backfill_synthetic, import_csv
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import stored_series

app = typer.Typer(help="Market data: import, backfill, list.", no_args_is_help=True)


def _timeframe(value: str) -> str:
    try:
        return Timeframe.parse(value).label
    except ValueError as error:
        raise ConfigError(str(error)) from None


async def _open(url: str) -> Database:
    db = Database(url)
    await db.check()
    await migrations.upgrade(db.engine)
    return db


def _report(result: IngestResult, what: str) -> None:
    console.print(
        f"{what} {result.received} bars of {result.symbol} {result.timeframe}: "
        f"{result.stored} new, {result.received - result.stored} already stored; "
        f"{result.total} stored in all"
    )


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV with timestamp, open, high, low, close, volume."),
    symbol: str = typer.Option(..., "--symbol", "-s"),
    timeframe: str = typer.Option(..., "--timeframe", "-t"),
    config: ConfigOption = None,
) -> None:
    """Import OHLCV bars from a CSV file; a bad row aborts the whole file."""
    settings = settings_from(config)
    label = _timeframe(timeframe)

    async def go() -> IngestResult:
        db = await _open(settings.database_url)
        try:
            return await import_csv(db, file, symbol=symbol, timeframe=label)
        finally:
            await db.dispose()

    _report(asyncio.run(go()), "imported")


@app.command("backfill")
def backfill(
    symbol: str = typer.Option("BTC/USDT", "--symbol", "-s"),
    timeframe: str = typer.Option("1m", "--timeframe", "-t"),
    bars: int = typer.Option(2000, "--bars", min=1, help="History length for a new series."),
    seed: int = typer.Option(7, "--seed"),
    config: ConfigOption = None,
) -> None:
    """Generate seeded synthetic history up to now, continuing any stored series."""
    settings = settings_from(config)
    label = _timeframe(timeframe)

    async def go() -> IngestResult:
        db = await _open(settings.database_url)
        try:
            return await backfill_synthetic(
                db, SyntheticMarket(seed=seed), symbol=symbol, timeframe=label, history_bars=bars
            )
        finally:
            await db.dispose()

    _report(asyncio.run(go()), "generated")


@app.command("list")
def list_series(config: ConfigOption = None) -> None:
    """List the stored bar series with their counts and time ranges."""
    settings = settings_from(config)

    async def go() -> list[tuple[str, str, int, object, object]]:
        db = await _open(settings.database_url)
        try:
            async with db.read() as connection:
                return list(await stored_series(connection))
        finally:
            await db.dispose()

    table = Table("symbol", "timeframe", "bars", "first", "last")
    for symbol, timeframe, count, first, last in asyncio.run(go()):
        table.add_row(symbol, timeframe, str(count), str(first), str(last))
    console.print(table)

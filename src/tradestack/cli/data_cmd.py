"""``tradestack data``: download, import, backfill and list bars; the other verbs live beside it.

Commands parse, call one market-data service function and print. The data
libraries (pandas, pyarrow, ccxt, TA-Lib) are imported inside the commands
that use them, so ``tradestack --help`` and unrelated commands start fast.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from tradestack.cli import data_archive_cmd, data_live_cmd, data_query_cmd
from tradestack.cli.data_options import moment, open_database, timeframe
from tradestack.cli.output import console
from tradestack.cli.progress import progress_bar, run_interruptible
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import count_bars, stored_series

if TYPE_CHECKING:
    from tradestack.marketdata.ingest import IngestResult
    from tradestack.marketdata.pipeline import IngestReport

app = typer.Typer(help="Market data: download, import, gaps, resample, archive, live.")

SymbolOption = typer.Option("BTC/USDT", "--symbol", "-s")
TimeframeOption = typer.Option("1m", "--timeframe", "-t")


def _summary(report: IngestReport, total: int, what: str) -> None:
    console.print(
        f"{what} {report.received} bars of {report.symbol} {report.timeframe}: "
        f"{report.stored} new, {report.duplicates} already stored; {total} stored in all"
    )
    if report.rejected_total:
        reasons = ", ".join(f"{n} {why}" for why, n in report.rejected.items())
        console.print(f"[yellow]rejected {report.rejected_total}:[/] {reasons}")


async def _total(db: Database, symbol: str, label: str) -> int:
    async with db.read() as connection:
        return await count_bars(connection, symbol, label)


@app.command("import")
def import_file(
    file: Path = typer.Argument(
        ..., help="CSV or Parquet with timestamp, open, high, low, close, volume."
    ),
    symbol: str = typer.Option(..., "--symbol", "-s"),
    timeframe_: str = typer.Option(..., "--timeframe", "-t"),
    tz: str = typer.Option("UTC", "--tz", help="Time zone of timestamps without an offset."),
    column: list[str] = typer.Option(
        [], "--column", help="Map a column: ours=theirs, e.g. --column timestamp=Fecha."
    ),
    config: ConfigOption = None,
) -> None:
    """Import bars from a CSV or Parquet file; a bad row aborts the whole file."""
    from tradestack.marketdata.pipeline import import_file as run_import
    from tradestack.marketdata.providers.files import FileOptions

    settings = settings_from(config)
    label = timeframe(timeframe_)
    mapping = dict(_pair(text) for text in column)

    async def go() -> tuple[IngestReport, int]:
        db = await open_database(settings.database_url)
        try:
            with progress_bar() as progress:
                report = await run_import(
                    db,
                    file,
                    symbol=symbol,
                    timeframe=label,
                    options=FileOptions(columns=mapping, timezone=tz),
                    progress=progress,
                )
            return report, await _total(db, symbol, label)
        finally:
            await db.dispose()

    kept = (
        f"nothing of {file} was stored (a file is imported in one transaction); "
        "run the same command again"
    )
    _summary(*run_interruptible(go(), lambda: kept), "imported")


def _pair(text: str) -> tuple[str, str]:
    ours, sep, theirs = text.partition("=")
    if not sep or not ours or not theirs:
        raise ConfigError(f"--column {text!r}: expected ours=theirs, e.g. timestamp=Date")
    return ours.strip().lower(), theirs.strip()


@app.command("download")
def download(
    symbol: str = SymbolOption,
    timeframe_: str = TimeframeOption,
    start: str | None = typer.Option(
        None, "--start", help="ISO date/time or age (30d); default data.history_days ago."
    ),
    end: str | None = typer.Option(None, "--end", help="ISO date/time (exclusive); default now."),
    provider: str | None = typer.Option(
        None, "--provider", help="synthetic or ccxt (default: data.provider)."
    ),
    exchange: str | None = typer.Option(
        None, "--exchange", help="ccxt exchange id (default: data.exchange)."
    ),
    config: ConfigOption = None,
) -> None:
    """Download history from a provider, continuing where earlier downloads stopped."""
    from datetime import UTC, datetime, timedelta

    from tradestack.marketdata.pipeline import backfill as run_backfill
    from tradestack.marketdata.providers.factory import build_provider

    settings = settings_from(config)
    label = timeframe(timeframe_)
    begin = moment(start, "--start") or datetime.now(UTC) - timedelta(
        days=settings.data.history_days
    )
    finish = moment(end, "--end")
    source = build_provider(settings.data, provider, seed=settings.run.seed, exchange=exchange)

    async def go() -> tuple[IngestReport, int]:
        db = await open_database(settings.database_url)
        try:
            with progress_bar() as progress:
                report = await run_backfill(
                    db,
                    source,
                    symbol=symbol,
                    timeframe=label,
                    start=begin,
                    end=finish,
                    progress=progress,
                )
            return report, await _total(db, symbol, label)
        finally:
            await source.close()
            await db.dispose()

    kept = "the batches downloaded so far stay stored; run it again to continue"
    _summary(*run_interruptible(go(), lambda: kept), f"downloaded from {source.source}")
    _print_key_usage(source)


app.command("gaps")(data_query_cmd.gaps)
app.command("show")(data_query_cmd.show)
app.command("resample")(data_query_cmd.resample)
app.command("archive")(data_archive_cmd.archive)
app.command("restore-archive")(data_archive_cmd.restore_archive)
app.command("live")(data_live_cmd.live)


@app.command("backfill")
def backfill(
    symbol: str = SymbolOption,
    timeframe_: str = TimeframeOption,
    bars: int = typer.Option(
        2000, "--bars", min=1, help="History length for a new synthetic series."
    ),
    seed: int = typer.Option(7, "--seed"),
    fill_gaps: bool = typer.Option(
        False, "--fill-gaps", help="Fetch only the bars the calendar says are missing."
    ),
    provider: str | None = typer.Option(
        None, "--provider", help="For --fill-gaps: synthetic or ccxt."
    ),
    calendar: str | None = typer.Option(
        None, "--calendar", help="For --fill-gaps: a calendar spec."
    ),
    config: ConfigOption = None,
) -> None:
    """Extend a series up to now (synthetic), or with --fill-gaps fetch only what is missing."""
    settings = settings_from(config)
    label = timeframe(timeframe_)
    if fill_gaps:
        _fill_gaps(settings, symbol, label, provider, calendar, seed)
        return
    from tradestack.marketdata.ingest import backfill_synthetic
    from tradestack.marketdata.synthetic import SyntheticMarket

    committed = [0]

    async def go() -> IngestResult:
        db = await open_database(settings.database_url)
        try:
            with progress_bar() as progress:
                return await backfill_synthetic(
                    db,
                    SyntheticMarket(seed=seed),
                    symbol=symbol,
                    timeframe=label,
                    history_bars=bars,
                    progress=progress,
                    committed=committed,
                )
        finally:
            await db.dispose()

    result = run_interruptible(
        go(),
        lambda: (
            f"kept {committed[0]:,} new bars of {symbol} {label} (committed); "
            "run the same command again to continue from the last one"
        ),
    )
    console.print(
        f"generated {result.received} bars of {result.symbol} {result.timeframe}: "
        f"{result.stored} new, {result.received - result.stored} already stored; "
        f"{result.total} stored in all"
    )


def _fill_gaps(
    settings: Settings, symbol: str, label: str, provider: str | None, spec: str | None, seed: int
) -> None:
    from tradestack.marketdata.pipeline import fill_gaps as run_fill
    from tradestack.marketdata.providers.factory import build_provider, calendar_for

    source = build_provider(settings.data, provider, seed=seed)
    calendar = calendar_for(settings.data, symbol, spec)

    async def go() -> IngestReport:
        db = await open_database(settings.database_url)
        try:
            with progress_bar() as progress:
                return await run_fill(
                    db,
                    source,
                    symbol=symbol,
                    timeframe=label,
                    calendar=calendar,
                    progress=progress,
                )
        finally:
            await source.close()
            await db.dispose()

    report = asyncio.run(go())
    before, after = report.gaps_before, report.gaps_after
    console.print(
        f"{symbol} {label}: {len(before) if before else 0} gap(s) with "
        f"{before.total_missing if before else 0} missing bar(s); fetched {report.received}, "
        f"stored {report.stored}; {after.total_missing if after else 0} still missing"
    )


@app.command("list")
def list_series(config: ConfigOption = None) -> None:
    """List the stored bar series with their counts and time ranges."""
    settings = settings_from(config)

    async def go() -> list[tuple[str, str, int, object, object]]:
        db = await open_database(settings.database_url)
        try:
            async with db.read() as connection:
                return list(await stored_series(connection))
        finally:
            await db.dispose()

    table = Table("symbol", "timeframe", "bars", "first", "last")
    for symbol, label, count, first, last in asyncio.run(go()):
        table.add_row(symbol, label, str(count), str(first), str(last))
    console.print(table)


@app.command("keys")
def keys(config: ConfigOption = None) -> None:
    """List the configured provider API keys by group, label and fingerprint (never the key)."""
    from tradestack.marketdata.providers.factory import key_pool

    pool = key_pool(settings_from(config).data)
    if pool is None:
        console.print("no API keys configured (set API_KEY_<GROUP>_<N>, e.g. API_KEY_G1_1)")
        return
    table = Table("key", "group", "fingerprint", title=f"{len(pool)} API keys")
    for usage in pool.usage():
        table.add_row(usage.label, usage.group, usage.fingerprint)
    console.print(table)


def _print_key_usage(source: object) -> None:
    pool = getattr(source, "keys", None)
    if pool is None:
        return
    table = Table("key", "requests", "rate limited", "failures", "resting s", title="API key usage")
    for usage in pool.usage():
        table.add_row(
            usage.label,
            str(usage.requests),
            str(usage.rate_limited),
            str(usage.failures),
            f"{usage.resting_s:.0f}",
        )
    console.print(table)

"""``tradestack data archive|restore-archive``: move old bars to Parquet and back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradestack.cli.data_options import duration, open_database
from tradestack.cli.output import console
from tradestack.cli.progress import progress_bar
from tradestack.cli.settings_option import ConfigOption, settings_from

if TYPE_CHECKING:
    from tradestack.marketdata.archive import ArchiveReport

DirOption = typer.Option(
    None, "--dir", help="Archive directory (default: data.archive_dir or $TRADESTACK_HOME/archive)."
)


def archive(
    older_than: str = typer.Option(..., "--older-than", help="Age such as 90d, 12w."),
    symbol: str | None = typer.Option(None, "--symbol", "-s", help="Only this symbol."),
    timeframe_: str | None = typer.Option(None, "--timeframe", "-t", help="Only this timeframe."),
    directory: Path | None = DirOption,
    config: ConfigOption = None,
) -> None:
    """Move bars older than an age to Parquet (per symbol/timeframe/month), verified first."""
    from tradestack.marketdata.archive import archive_older_than
    from tradestack.marketdata.queries import archive_root

    settings = settings_from(config)
    cutoff = datetime.now(UTC) - duration(older_than, "--older-than")
    root = directory or archive_root(settings.home, settings.data.archive_dir)

    async def go() -> ArchiveReport:
        db = await open_database(settings.database_url)
        try:
            with progress_bar() as progress:
                return await archive_older_than(
                    db, root, cutoff, symbol=symbol, timeframe=timeframe_, progress=progress
                )
        finally:
            await db.dispose()

    report = asyncio.run(go())
    console.print(
        f"archived {report.rows} bars older than {cutoff:%Y-%m-%d %H:%M} UTC into "
        f"{len(report.files)} file(s) under {root} (counts and checksums verified before delete)"
    )


def restore_archive(
    symbol: str | None = typer.Option(None, "--symbol", "-s"),
    timeframe_: str | None = typer.Option(None, "--timeframe", "-t"),
    directory: Path | None = DirOption,
    remove_files: bool = typer.Option(False, "--remove-files", help="Delete files once restored."),
    config: ConfigOption = None,
) -> None:
    """Bring archived bars back into the database (checksums checked first)."""
    from tradestack.marketdata.archive import restore_archive as run_restore
    from tradestack.marketdata.queries import archive_root

    settings = settings_from(config)
    root = directory or archive_root(settings.home, settings.data.archive_dir)

    async def go() -> ArchiveReport:
        db = await open_database(settings.database_url)
        try:
            return await run_restore(
                db, root, symbol=symbol, timeframe=timeframe_, remove_files=remove_files
            )
        finally:
            await db.dispose()

    report = asyncio.run(go())
    console.print(f"restored {report.rows} bars from {len(report.files)} file(s) under {root}")

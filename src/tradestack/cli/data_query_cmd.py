"""``tradestack data gaps|show|resample``: look at stored series and derive new ones."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from tradestack.cli.data_options import checked, moment, open_database, timeframe
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import ConfigError

if TYPE_CHECKING:
    from tradestack.marketdata.gaps import GapReport
    from tradestack.marketdata.pipeline import IngestReport
    from tradestack.marketdata.queries import CandleSeries


def gaps(
    symbol: str = typer.Option("BTC/USDT", "--symbol", "-s"),
    timeframe_: str = typer.Option("1m", "--timeframe", "-t"),
    calendar: str | None = typer.Option(
        None,
        "--calendar",
        help="e.g. '24/7', 'weekdays', 'sessions America/Bogota mon-fri 08:00-12:55'",
    ),
    start: str | None = typer.Option(None, "--start", help="Check from (ISO or age like 30d)."),
    end: str | None = typer.Option(None, "--end", help="Check until (ISO, exclusive)."),
    limit: int = typer.Option(20, "--limit", min=1, help="Gaps to list."),
    config: ConfigOption = None,
) -> None:
    """List the missing bar ranges of a stored series against its trading calendar."""
    from tradestack.marketdata.pipeline import series_gaps
    from tradestack.marketdata.providers.factory import calendar_for

    settings = settings_from(config)
    label = timeframe(timeframe_)
    spec = calendar_for(settings.data, symbol, calendar)
    begin, finish = moment(start, "--start"), moment(end, "--end")

    async def go() -> GapReport:
        db = await open_database(settings.database_url)
        try:
            return await series_gaps(db, symbol, label, spec, start=begin, end=finish)
        except ValueError as error:
            raise checked("gap detection", error) from None
        finally:
            await db.dispose()

    report = asyncio.run(go())
    if not len(report):
        console.print(f"{symbol} {label}: no gaps ({spec.spec})")
        return
    table = Table("from", "to (exclusive)", "missing bars", title=f"{symbol} {label} ({spec.spec})")
    for gap in report.gaps(limit):
        table.add_row(gap.start.isoformat(), gap.end.isoformat(), str(gap.missing))
    console.print(table)
    more = f" (showing {limit})" if len(report) > limit else ""
    console.print(f"{len(report)} gap(s), {report.total_missing} missing bar(s){more}")


def show(
    symbol: str = typer.Option("BTC/USDT", "--symbol", "-s"),
    timeframe_: str = typer.Option("1m", "--timeframe", "-t"),
    start: str | None = typer.Option(None, "--start", help="First bar at or after (ISO or age)."),
    end: str | None = typer.Option(None, "--end", help="Bars before (ISO, exclusive)."),
    limit: int = typer.Option(20, "--limit", min=1),
    indicators: str = typer.Option("", "--indicators", "-i", help="e.g. ema_20,rsi_14,macd,vwap"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write bars and indicators to a .parquet or .csv file."
    ),
    config: ConfigOption = None,
) -> None:
    """Show bars with indicators computed on read; --output materialises them to a file."""
    from tradestack.marketdata.queries import archive_root, candle_series

    settings = settings_from(config)
    label = timeframe(timeframe_)

    async def go() -> CandleSeries:
        db = await open_database(settings.database_url)
        try:
            return await candle_series(
                db,
                symbol,
                timeframe=label,
                start=moment(start, "--start"),
                end=moment(end, "--end"),
                limit=limit,
                indicators=indicators,
                archive_root=archive_root(settings.home, settings.data.archive_dir),
            )
        except ValueError as error:
            raise checked("show", error) from None
        finally:
            await db.dispose()

    series = asyncio.run(go())
    if output is not None:
        _write_table(series, output)
        console.print(f"wrote {len(series.frame)} bars to {output}")
        return
    table = Table(
        "ts",
        "open",
        "high",
        "low",
        "close",
        "volume",
        *series.indicators,
        title=f"{symbol} {label}",
    )
    for i, bar in enumerate(series.frame.to_bars()):
        extra = [_cell(values[i]) for values in series.indicators.values()]
        table.add_row(
            bar.ts.isoformat(),
            *(f"{v:g}" for v in (bar.open, bar.high, bar.low, bar.close, bar.volume)),
            *extra,
        )
    console.print(table)
    if series.archived:
        console.print(f"{series.archived} of these bars were read from the archive")


def _cell(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.6g}"


def _write_table(series: CandleSeries, path: Path) -> None:
    import pandas as pd

    frame = series.frame
    table = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(frame.ts, unit="s", utc=True),
            **{c: getattr(frame, c) for c in ("open", "high", "low", "close", "volume")},
            **series.indicators,
        }
    )
    if path.suffix.lower() == ".parquet":
        table.to_parquet(path, index=False)
    elif path.suffix.lower() == ".csv":
        table.to_csv(path, index=False)
    else:
        raise ConfigError(f"--output {path}: use a .parquet or .csv file name")


def resample(
    symbol: str = typer.Option("BTC/USDT", "--symbol", "-s"),
    source: str = typer.Option("1m", "--from", help="Stored timeframe to read."),
    target: str = typer.Option(..., "--to", help="Timeframe to build, e.g. 5m, 1h, 1d."),
    start: str | None = typer.Option(None, "--start"),
    end: str | None = typer.Option(None, "--end"),
    complete_only: bool = typer.Option(
        False, "--complete-only", help="Drop target bars missing source bars (24/7 markets)."
    ),
    config: ConfigOption = None,
) -> None:
    """Aggregate stored bars into a longer timeframe and store them (source resample:<tf>)."""
    from tradestack.marketdata.pipeline import resample_series

    settings = settings_from(config)
    source_label, target_label = timeframe(source), timeframe(target)

    async def go() -> IngestReport:
        db = await open_database(settings.database_url)
        try:
            return await resample_series(
                db,
                symbol=symbol,
                source_timeframe=source_label,
                target_timeframe=target_label,
                start=moment(start, "--start"),
                end=moment(end, "--end"),
                complete_only=complete_only,
            )
        except ValueError as error:
            raise checked("resample", error) from None
        finally:
            await db.dispose()

    report = asyncio.run(go())
    console.print(
        f"resampled {report.received} {source_label} bars of {symbol} into {target_label}: "
        f"{report.stored} new"
    )

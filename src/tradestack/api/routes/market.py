"""Candlesticks with indicators, and the latest bar. ``BTC/USDT`` is ``BTC-USDT`` in paths."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from fastapi import APIRouter, Query

from tradestack.api.deps import DatabaseDep, PlatformDep
from tradestack.api.schemas import Candle, Candlesticks, ErrorResponse, LatestBar
from tradestack.domain.timeframes import symbol_from_path
from tradestack.errors import NotFoundError
from tradestack.marketdata.queries import archive_root, candle_series, latest_bar

router = APIRouter(tags=["market data"])


@router.get(
    "/candlesticks/{symbol}",
    response_model=Candlesticks,
    responses={422: {"model": ErrorResponse, "description": "invalid timeframe, range or limit"}},
)
async def get_candlesticks(
    symbol: str,
    kernel: PlatformDep,
    timeframe: str = Query("1m", description="bar length such as 1m, 5m, 1h, 1d"),
    start: datetime | None = Query(None, description="first bar at or after (ISO 8601)"),
    end: datetime | None = Query(None, description="bars before (ISO 8601, exclusive)"),
    limit: int = Query(100, ge=1, le=5000),
    indicators: str = Query(
        "", description="comma-separated, e.g. ema_20,rsi_14,macd_12_26_9,bbands_20_2,atr_14,vwap"
    ),
) -> Candlesticks:
    """Return bars of ``symbol`` oldest first: ``limit`` from ``start``, else the newest.

    Indicators are computed on read; archived ranges are read from the archive
    (``archived`` counts those candles).
    """
    name = symbol_from_path(symbol)
    settings = kernel.settings
    series = await candle_series(
        kernel.db,
        name,
        timeframe=timeframe,
        start=_utc(start),
        end=_utc(end),
        limit=limit,
        indicators=indicators,
        archive_root=archive_root(settings.home, settings.data.archive_dir),
    )
    columns = {k: v.tolist() for k, v in series.indicators.items()}
    candles = [
        Candle(
            ts=bar.ts,
            open=bar.open,
            high=bar.high,
            low=bar.low,
            close=bar.close,
            volume=bar.volume,
            indicators={k: _number(values[i]) for k, values in columns.items()}
            if columns
            else None,
        )
        for i, bar in enumerate(series.frame.to_bars())
    ]
    return Candlesticks(symbol=name, timeframe=timeframe, candles=candles, archived=series.archived)


@router.get(
    "/latest/{symbol}",
    response_model=LatestBar,
    responses={404: {"model": ErrorResponse, "description": "no bars stored for the series"}},
)
async def get_latest(
    symbol: str,
    db: DatabaseDep,
    timeframe: str = Query("1m", description="bar length such as 1m, 5m, 1h, 1d"),
) -> LatestBar:
    """Return the newest stored bar of ``symbol`` in ``timeframe``."""
    name = symbol_from_path(symbol)
    bar = await latest_bar(db, name, timeframe=timeframe)
    if bar is None:
        raise NotFoundError(f"no {timeframe} bars stored for {name}")
    return LatestBar(
        symbol=name,
        timeframe=timeframe,
        ts=bar.ts,
        open=bar.open,
        high=bar.high,
        low=bar.low,
        close=bar.close,
        volume=bar.volume,
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # a time without an offset means UTC


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value

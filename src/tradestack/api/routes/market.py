"""Candlesticks of stored bars. Symbols with a slash are written ``BTC-USDT`` in paths."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tradestack.api.deps import DatabaseDep
from tradestack.api.schemas import Candle, Candlesticks, ErrorResponse
from tradestack.domain.timeframes import symbol_from_path
from tradestack.marketdata.queries import candlesticks

router = APIRouter(tags=["market data"])


@router.get(
    "/candlesticks/{symbol}",
    response_model=Candlesticks,
    responses={422: {"model": ErrorResponse, "description": "invalid timeframe or limit"}},
)
async def get_candlesticks(
    symbol: str,
    db: DatabaseDep,
    timeframe: str = Query("1m", description="bar length such as 1m, 5m, 1h, 1d"),
    limit: int = Query(100, ge=1, le=5000),
) -> Candlesticks:
    """Return the newest ``limit`` bars of ``symbol`` (``BTC-USDT`` in the path), oldest first."""
    name = symbol_from_path(symbol)
    bars = await candlesticks(db, name, timeframe=timeframe, limit=limit)
    return Candlesticks(
        symbol=name,
        timeframe=timeframe,
        candles=[
            Candle(ts=b.ts, open=b.open, high=b.high, low=b.low, close=b.close, volume=b.volume)
            for b in bars
        ],
    )

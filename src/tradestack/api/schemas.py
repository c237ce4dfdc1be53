"""Response shapes of the API, published in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error the API returns has this shape."""

    error: ErrorBody


class Health(BaseModel):
    status: str
    version: str
    database: str


class Candle(BaseModel):
    ts: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    indicators: dict[str, float | None] | None = None


class Candlesticks(BaseModel):
    symbol: str
    timeframe: str
    candles: list[Candle]
    archived: int = 0


class OrderOut(BaseModel):
    client_order_id: str
    trader_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    quantity: Decimal
    price: Decimal | None
    status: str
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    venue_order_id: str | None
    reason: str | None
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[OrderOut]
    limit: int
    offset: int


class PositionOut(BaseModel):
    trader_id: str
    symbol: str
    quantity: Decimal
    average_price: Decimal
    last_price: Decimal | None
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees_paid: Decimal
    updated_at: datetime | None


class SystemStatus(BaseModel):
    version: str
    shape: str
    uptime_s: float
    database: str
    event_bus: dict[str, Any]
    feed: dict[str, Any]
    traders: list[dict[str, Any]]
    services: dict[str, str] = {}


class LatestBar(Candle):
    symbol: str
    timeframe: str


class SeriesStatusOut(BaseModel):
    symbol: str
    timeframe: str
    rows: int
    first: datetime
    last: datetime
    calendar: str
    gaps: int | None
    missing_bars: int | None
    sources: list[str]
    complete: bool
    last_ingest_at: datetime | None
    rejected_total: int
    last_error: str | None
    archived_rows: int

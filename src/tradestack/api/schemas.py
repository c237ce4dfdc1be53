"""Response shapes of the API, published in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tradestack.domain.enums import OrderSide, OrderType, PositionSide, TimeInForce


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. validation_error")
    message: str = Field(description="one line for people; names the field when one is wrong")
    details: Any = Field(
        default=None, description="validation errors: a list of {field, location, message, type}"
    )


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


class OrderIn(BaseModel):
    """An order to place for one trader; it passes that trader's risk check."""

    model_config = ConfigDict(extra="forbid")

    trader_id: str = Field(min_length=1, max_length=64)
    symbol: str = Field(min_length=1, max_length=64, description="BTC/USDT or BTC-USDT")
    side: OrderSide
    quantity: Decimal = Field(gt=0, max_digits=28, decimal_places=10)
    type: OrderType = OrderType.MARKET
    price: Decimal | None = Field(default=None, gt=0, max_digits=28, decimal_places=10)
    stop_price: Decimal | None = Field(default=None, gt=0, max_digits=28, decimal_places=10)
    trailing_amount: Decimal | None = Field(default=None, gt=0, max_digits=28, decimal_places=10)
    trailing_percent: Decimal | None = Field(default=None, gt=0, lt=100)
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    post_only: bool = False
    position_side: PositionSide = PositionSide.BOTH


class FillOut(BaseModel):
    trade_id: str
    client_order_id: str
    trader_id: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: str
    position_side: str
    ts: datetime


class TradePage(BaseModel):
    items: list[FillOut]
    limit: int
    offset: int


class BalanceOut(BaseModel):
    asset: str
    free: Decimal
    locked: Decimal
    total: Decimal


class AccountOut(BaseModel):
    trader_id: str
    balances: list[BalanceOut]
    equity: Decimal | None = Field(description="cash plus marked positions while it runs")


class AccountsBalance(BaseModel):
    accounts: list[AccountOut]


class ParameterOut(BaseModel):
    name: str
    type: str
    default: Any
    minimum: float | None
    maximum: float | None
    description: str


class StrategyOut(BaseModel):
    name: str
    description: str
    allow_short: bool
    interface_version: int
    parameters: list[ParameterOut]
    source: str = "builtin"
    """builtin, file, entry_point or module."""
    location: str = ""
    interface: str = ""
    """tradestack v1, tradestack v2, seed003 v2 (analyze) or freqtrade IStrategy v3."""


class ClosedTradeOut(BaseModel):
    """One round trip; ``net_pnl`` is after entry and exit fees, ``gross_pnl`` before."""

    trader_id: str
    symbol: str
    side: str
    entry_time: datetime
    exit_time: datetime
    entry_price: Decimal
    exit_price: Decimal
    quantity: Decimal
    gross_pnl: Decimal
    fees: Decimal
    net_pnl: Decimal
    profit_pct: float
    duration_s: float
    exit_reason: str
    display: dict[str, str]


class ClosedTradePage(BaseModel):
    items: list[ClosedTradeOut]
    total: int
    limit: int
    offset: int

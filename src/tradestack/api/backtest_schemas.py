"""Response shapes of ``/api/v1/backtests``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class BacktestSummary(BaseModel):
    id: int
    created_at: datetime
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    engine: str
    start_ts: datetime
    end_ts: datetime
    bars: int
    starting_cash: Decimal
    fee_rate: Decimal
    lot_size: Decimal
    final_equity: Decimal
    trades: int
    metrics: dict[str, Any]


class BacktestPage(BaseModel):
    items: list[BacktestSummary]
    limit: int
    offset: int


class BacktestDetail(BacktestSummary):
    """A run with its trades (money as exact decimal strings) and a thinned equity curve."""

    trade_list: list[dict[str, Any]]
    equity: list[list[Any]]

"""Market data: one OHLCV bar of one symbol and timeframe."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Bar(msgspec.Struct, frozen=True, gc=False):
    """An OHLCV bar; ``ts`` is its open time in UTC.

    Prices are floats: bars are market data read in bulk and fed to vectorised
    code. Money that is summed (orders, fills, balances) is Decimal.
    """

    symbol: str
    timeframe: str
    ts: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float

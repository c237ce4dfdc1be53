"""The live trader of the write-ahead test: spec, settings and bars, shared with its child."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from tests.unit.factories import bars_from_closes
from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings
from tradestack.domain.market import Bar
from tradestack.traders.spec import TraderSpec

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]  # BUY after bar 6, SELL after bar 9
SCALE = 5_000
SPEC = TraderSpec(
    trader_id="alice",
    strategy="sma_cross",
    params={"fast": 2, "slow": 3},
    symbol="BTC/USDT",
    timeframe="1m",
    starting_cash=Decimal(1_000),
    allocation=Decimal("0.5"),
    lot_size=Decimal("0.001"),
    venue="ccxt",
)


def live_settings(home: Path, api_urls: dict[str, str]) -> Settings:
    return load_settings(
        home=home,
        exchange_api_key="test-key",
        exchange_api_secret="test-secret",
        ccxt={
            "exchange": "binance",
            "sandbox": False,
            "api_urls": api_urls,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
            },
            "timeout_ms": 400,
            "reconcile_retry_s": 0,
            "read_attempts": 4,
            "retry_delay_s": 0.01,
            "retry_max_delay_s": 0.01,
        },
    )


def scaled_bars(closes: list[int], start: datetime) -> list[Bar]:
    """The closes, scaled to a BTC price, as 1m bars from ``start`` (recent: live bars are)."""
    first = bars_from_closes(closes)[0].ts
    return [
        type(bar)(
            bar.symbol,
            bar.timeframe,
            start + (bar.ts - first),
            bar.open * SCALE,
            bar.high * SCALE,
            bar.low * SCALE,
            bar.close * SCALE,
            bar.volume,
        )
        for bar in bars_from_closes(closes)
    ]

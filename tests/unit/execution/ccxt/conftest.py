"""Fixtures: a local binance-speaking server and ccxt's real binance class pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Order
from tradestack.execution.live_executor import ExecutorSettings, LiveExecutor
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.retry import RetryPolicy
from tradestack.execution.venues.ccxt import CcxtConfig, CcxtVenue, build_ccxt_venue

TRADER = "alice"
SYMBOL = "BTC/USDT"
NOW = datetime.now(UTC)
FAST = ExecutorSettings(
    read_retry=RetryPolicy(attempts=4, base_delay_s=0.01, rate_limit_delay_s=0.01),
    absent_recheck_delay_s=0.01,
)


def venue_config(server: BinanceServer, **overrides: object) -> CcxtConfig:
    values: dict[str, object] = {
        "exchange_id": "binance",
        "api_key": SecretStr("test-key"),
        "secret": SecretStr("test-secret"),
        "api_urls": server.api_urls,
        "options": {
            "fetchMarkets": {"types": ["spot"]},
            "fetchCurrencies": False,
            "fetchMargins": False,
        },
        "timeout_ms": 400,
        "enable_rate_limit": False,
    }
    values.update(overrides)
    return CcxtConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
async def server() -> AsyncIterator[BinanceServer]:
    exchange = BinanceServer(hang_s=1.0)
    await exchange.start()
    try:
        yield exchange
    finally:
        await exchange.stop()


@pytest.fixture
async def venue(server: BinanceServer) -> AsyncIterator[CcxtVenue]:
    built = build_ccxt_venue(venue_config(server), trader_id=TRADER)
    await built.connect()
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def orders() -> OrderManager:
    return OrderManager(TRADER)


@pytest.fixture
def executor(venue: CcxtVenue, orders: OrderManager) -> LiveExecutor:
    return LiveExecutor(venue, orders, settings=FAST)


def new_order(
    orders: OrderManager,
    quantity: str = "0.01",
    *,
    side: OrderSide = OrderSide.BUY,
    price: str | None = None,
) -> Order:
    return orders.create(
        symbol=SYMBOL,
        side=side,
        quantity=Decimal(quantity),
        ts=NOW,
        order_type=OrderType.LIMIT if price else OrderType.MARKET,
        price=Decimal(price) if price else None,
    )

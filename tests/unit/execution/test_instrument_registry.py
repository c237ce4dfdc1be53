"""The instrument registry from settings, defaults, recorded ccxt markets and ccxt's binance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.execution.ccxt.conftest import venue_config
from tradestack.config.loader import load_settings
from tradestack.execution.instruments import InstrumentRegistry
from tradestack.execution.venues.ccxt import create_exchange
from tradestack.execution.venues.ccxt.instruments import instrument_from_market

# As ccxt 4 reports a Binance spot market (precisionMode TICK_SIZE), trimmed.
RECORDED = {
    "ETH/USDT": {
        "id": "ETHUSDT",
        "symbol": "ETH/USDT",
        "base": "ETH",
        "quote": "USDT",
        "precision": {"amount": 0.0001, "price": 0.01, "base": 1e-08, "quote": 1e-08},
        "limits": {
            "amount": {"min": 0.0001, "max": 9000.0},
            "price": {"min": 0.01, "max": 1000000.0},
            "cost": {"min": 5.0, "max": 9000000.0},
        },
    }
}


def test_recorded_ccxt_markets_give_tick_lot_and_min_notional() -> None:
    registry = InstrumentRegistry()
    registry.add_ccxt_markets(RECORDED)
    eth = registry.instrument("ETH/USDT")
    assert (eth.tick_size, eth.lot_size, eth.min_notional) == (
        Decimal("0.01"),
        Decimal("0.0001"),
        Decimal(5),
    )
    assert (eth.price_precision, eth.quantity_precision) == (2, 4)
    assert "ETH/USDT" in registry and "BTC/USDT" not in registry


def test_decimal_places_precision_is_read_as_a_count_of_decimals() -> None:
    market = {"symbol": "XBT/USD", "precision": {"price": 1, "amount": 3}, "limits": {}}
    instrument = instrument_from_market(market, precision_mode=ccxt.DECIMAL_PLACES)
    assert (instrument.tick_size, instrument.lot_size) == (Decimal("0.1"), Decimal("0.001"))


def test_ccxt_binance_parses_an_exchange_info_entry_with_a_notional_filter() -> None:
    exchange = ccxt.binance(
        {"options": {"crossMarginPairsData": [], "isolatedMarginPairsData": []}}
    )
    raw = {
        "symbol": "SOLUSDT",
        "status": "TRADING",
        "baseAsset": "SOL",
        "quoteAsset": "USDT",
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "MARKET"],
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "permissions": ["SPOT"],
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "0.01",
                "maxPrice": "10000",
                "tickSize": "0.01",
            },
            {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "9000", "stepSize": "0.001"},
            {"filterType": "NOTIONAL", "minNotional": "5.00", "maxNotional": "9000000"},
        ],
    }
    market = exchange.parse_market(raw)
    sol = instrument_from_market(market, exchange.precisionMode)
    assert (sol.symbol, sol.tick_size, sol.lot_size) == (
        "SOL/USDT",
        Decimal("0.01"),
        Decimal("0.001"),
    )
    assert sol.min_notional == Decimal(5)
    assert "below the minimum 5" in (sol.order_problem(Decimal("0.01"), Decimal(100)) or "")


@pytest.fixture
async def server() -> AsyncIterator[BinanceServer]:
    exchange = BinanceServer(hang_s=1.0)
    await exchange.start()
    try:
        yield exchange
    finally:
        await exchange.stop()


async def test_ccxt_binance_markets_from_a_local_exchange_info(server: BinanceServer) -> None:
    exchange = create_exchange(venue_config(server))
    registry = InstrumentRegistry()
    try:
        await registry.load_ccxt(exchange)
    finally:
        await exchange.close()
    btc = registry.instrument("BTC/USDT")
    assert (btc.tick_size, btc.lot_size, btc.min_quantity) == (
        Decimal("0.01"),
        Decimal("0.00001"),
        Decimal("0.00001"),
    )
    assert btc.order_problem(Decimal("0.000001"), Decimal(60000)) is not None


def test_settings_describe_paper_instruments_and_the_rest_get_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        home=tmp_path,
        run={"lot_size": "0.001"},
        instruments={"ETH/USDT": {"tick_size": "0.05", "min_notional": "10"}},
    )
    registry = InstrumentRegistry.from_settings(settings)
    eth = registry.instrument("ETH/USDT")
    assert (eth.tick_size, eth.lot_size, eth.min_notional) == (
        Decimal("0.05"),
        Decimal("0.001"),
        Decimal(10),
    )
    other = registry.instrument("DOGE/USDT")
    assert (other.tick_size, other.lot_size, other.min_notional) == (
        Decimal("0.00000001"),
        Decimal("0.001"),
        Decimal(0),
    )
    assert registry.instrument("DOGE/USDT", lot_size=Decimal(1)).lot_size == Decimal(1)
    assert registry.instrument("ETH/USDT", lot_size=Decimal(1)).lot_size == Decimal("0.001")

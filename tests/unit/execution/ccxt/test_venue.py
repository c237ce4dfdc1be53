"""CcxtVenue against ccxt's real binance class and a local binance-speaking server."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from pydantic import SecretStr

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.execution.ccxt.conftest import TRADER, new_order, venue_config
from tradestack.domain.enums import OrderType
from tradestack.errors import ConfigError, OrderRejectedError, VenueRateLimitedError
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.venues.ccxt import EXCHANGES, CcxtConfig, CcxtVenue, create_exchange
from tradestack.execution.venues.ccxt.exchanges import notes_for
from tradestack.execution.venues.live import VenueOrderState

REQUIRED = ["binance", "bybit", "okx", "kraken", "coinbase", "kucoin", "bitget"]


NO_SANDBOX = {"kraken", "coinbase", "kucoin"}  # ccxt has no test URLs for them


@pytest.mark.parametrize("exchange_id", REQUIRED)
async def test_each_required_exchange_builds_with_and_without_sandbox(exchange_id: str) -> None:
    exchange = create_exchange(CcxtConfig(exchange_id))
    await exchange.close()
    assert exchange.id == exchange_id
    if exchange_id in NO_SANDBOX:
        with pytest.raises(ConfigError, match="no sandbox"):
            create_exchange(CcxtConfig(exchange_id, sandbox=True))
        return
    exchange = create_exchange(CcxtConfig(exchange_id, sandbox=True))
    await exchange.close()
    assert exchange.isSandboxModeEnabled or exchange.options.get("sandboxMode")


def test_unknown_exchange_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown exchange 'nope'"):
        create_exchange(CcxtConfig("nope"))


def test_passphrase_exchanges_demand_it_with_keys() -> None:
    keys = {"api_key": SecretStr("k"), "secret": SecretStr("s")}
    with pytest.raises(ConfigError, match="passphrase"):
        create_exchange(CcxtConfig("okx", **keys))  # type: ignore[arg-type]


def test_keys_never_show_in_repr() -> None:
    config = CcxtConfig("binance", api_key=SecretStr("AKIA-123"), secret=SecretStr("hush"))
    assert "AKIA-123" not in repr(config) and "hush" not in repr(config)


@pytest.mark.parametrize("exchange_id", REQUIRED)
def test_client_ids_fit_each_exchange_and_are_stable(exchange_id: str) -> None:
    orders = OrderManager("a-trader-with-a-rather-long-name")
    cid = new_order(orders).client_order_id
    notes = EXCHANGES[exchange_id]
    encoded = notes.client_id_format.encode(cid)
    assert encoded == notes.client_id_format.encode(cid)
    if notes.client_id_format.uuid:
        uuid.UUID(encoded)
    else:
        pattern = f"[{notes.client_id_format.allowed}]{{1,{notes.client_id_format.max_length}}}"
        assert re.fullmatch(pattern, encoded)
        assert notes.client_id_format.owned_by(encoded, "a-trader-with-a-rather-long-name")


def test_okx_ids_are_letters_and_digits() -> None:
    encoded = notes_for("okx").client_id_format.encode("alice-0123456789abcdef01234567")
    assert encoded.isalnum() and len(encoded) <= 32


async def test_place_fill_cancel_and_balance(venue: CcxtVenue, server: BinanceServer) -> None:
    orders = OrderManager(TRADER)
    market = new_order(orders)
    placed = await venue.submit(market)
    assert placed.state is VenueOrderState.CLOSED
    assert server.by_client_id(market.client_order_id) is not None
    fills = await venue.fetch_fills("BTC/USDT")
    assert [f.client_order_id for f in fills] == [market.client_order_id]
    assert fills[0].quantity == Decimal("0.01") and fills[0].price == Decimal(50_000)

    limit = new_order(orders, price="40000")
    assert (await venue.submit(limit)).state is VenueOrderState.OPEN
    listed = await venue.fetch_open_orders("BTC/USDT")
    assert [v.client_order_id for v in listed] == [limit.client_order_id]
    assert listed[0].ours
    canceled = await venue.cancel(limit)
    assert canceled is not None and canceled.state is VenueOrderState.CANCELED
    assert canceled.client_order_id == limit.client_order_id

    balances = await venue.fetch_balance()
    assert balances["BTC"].total == Decimal("0.01")
    assert balances["USDT"].free == Decimal("9499.5")


async def test_stop_limit_is_sent_with_a_trigger(venue: CcxtVenue, server: BinanceServer) -> None:
    orders = OrderManager(TRADER)
    stop = orders.create(
        symbol="BTC/USDT",
        side=new_order(orders).side,
        quantity=Decimal("0.01"),
        ts=new_order(orders).created_at,
        order_type=OrderType.STOP_LIMIT,
        price=Decimal(51_000),
        stop_price=Decimal(50_500),
    )
    await venue.submit(stop)
    sent = server.by_client_id(stop.client_order_id)
    assert sent is not None and sent["type"] == "STOP_LOSS_LIMIT"
    assert Decimal(sent["stopPrice"]) == Decimal(50_500)


async def test_refusals_and_rate_limits_are_translated(
    venue: CcxtVenue, server: BinanceServer
) -> None:
    orders = OrderManager(TRADER)
    with pytest.raises(OrderRejectedError, match="insufficient") as refused:
        await venue.submit(new_order(orders, "5"))
    assert refused.value.insufficient_funds
    server.fail("GET", "openOrders", "429")
    with pytest.raises(VenueRateLimitedError):
        await venue.fetch_open_orders("BTC/USDT")


async def test_lookup_says_none_only_when_the_venue_denies(venue: CcxtVenue) -> None:
    orders = OrderManager(TRADER)
    assert await venue.fetch_order_by_client_id(new_order(orders)) is None


async def test_sandbox_and_url_override_point_the_real_class_elsewhere(
    server: BinanceServer,
) -> None:
    exchange = create_exchange(venue_config(server, sandbox=True))
    try:
        assert exchange.urls["api"]["private"] == server.api_urls["private"]
        assert "testnet" in exchange.urls["api"]["fapiPrivate"]
        assert exchange.isSandboxModeEnabled
    finally:
        await exchange.close()

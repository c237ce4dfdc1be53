"""Builders for paper-venue tests: orders, bars with explicit OHLC, and a venue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

from tests.unit.factories import T0
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.market import Bar
from tradestack.domain.orders import Order
from tradestack.execution.venues.paper import PaperConfig, PaperVenue

_ids = iter(range(1, 1_000_000))


def order(side: OrderSide, qty: str, order_type: OrderType = OrderType.MARKET, **kw: Any) -> Order:
    for key in ("price", "stop_price", "trailing_amount", "trailing_percent"):
        if key in kw and kw[key] is not None:
            kw[key] = D(str(kw[key]))
    return Order(
        client_order_id=f"c{next(_ids)}",
        trader_id="alice",
        symbol="BTC/USDT",
        side=side,
        type=order_type,
        quantity=D(qty),
        created_at=T0,
        updated_at=T0,
        **kw,
    )


def ohlc(i: int, o: float, h: float, lo: float, c: float, volume: float = 1000.0) -> Bar:
    return Bar("BTC/USDT", "1m", T0 + timedelta(minutes=i), o, h, lo, c, volume)


def venue(cash: str = "1000000", held: str = "0", **config: Any) -> PaperVenue:
    settings = {
        "taker_fee_rate": D("0.001"),
        **{
            k: D(str(v))
            if isinstance(v, int | float | str)
            and not isinstance(v, bool)
            and k not in {"slippage_model", "account_type"}
            else v
            for k, v in config.items()
        },
    }
    return PaperVenue(
        config=PaperConfig(**settings), cash=lambda: D(cash), holdings=lambda *_a: D(held)
    )

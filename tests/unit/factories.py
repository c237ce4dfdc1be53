"""Small builders for domain objects used across unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tradestack.domain.enums import OrderSide
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def bar(i: int, close: float, *, open_: float | None = None, symbol: str = "BTC/USDT") -> Bar:
    o = close if open_ is None else open_
    return Bar(
        symbol,
        "1m",
        T0 + timedelta(minutes=i),
        o,
        max(o, close) + 1,
        min(o, close) - 1,
        close,
        10.0,
    )


def bars_from_closes(closes: list[float], symbol: str = "BTC/USDT") -> list[Bar]:
    """Bars whose open equals the previous close, like a continuous market."""
    out = []
    previous = closes[0]
    for i, close in enumerate(closes):
        out.append(bar(i, close, open_=previous, symbol=symbol))
        previous = close
    return out


def fill(side: OrderSide, quantity: str, price: str, fee: str = "0", n: int = 0) -> Fill:
    return Fill(
        trade_id=f"t{n}-{side}-{quantity}-{price}",
        client_order_id=f"o{n}",
        trader_id="alice",
        symbol="BTC/USDT",
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        fee=Decimal(fee),
        fee_asset="USDT",
        ts=T0,
    )

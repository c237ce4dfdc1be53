"""Closed trades replayed from fills, with fees split between entries and exits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.unit.factories import T0
from tradestack.analytics import metrics
from tradestack.domain.enums import OrderSide
from tradestack.domain.orders import Fill
from tradestack.portfolio.trades import replay

D = Decimal


def fill(n: int, side: OrderSide, quantity: str, price: str, fee: str) -> Fill:
    return Fill(
        trade_id=f"t{n}",
        client_order_id=f"o{n}",
        trader_id="alice",
        symbol="BTC/USDT",
        side=side,
        quantity=D(quantity),
        price=D(price),
        fee=D(fee),
        fee_asset="USDT",
        ts=T0 + timedelta(hours=n),
    )


def test_scaling_in_partial_exit_flip_and_cover() -> None:
    fills = [
        fill(0, OrderSide.BUY, "1", "100", "0.1"),
        fill(1, OrderSide.BUY, "1", "110", "0.11"),  # 2 @ 105, entry fees 0.105 per unit
        fill(2, OrderSide.SELL, "1.5", "120", "0.18"),
        fill(3, OrderSide.SELL, "1", "100", "0.1"),  # closes 0.5, opens a 0.5 short
        fill(4, OrderSide.BUY, "0.5", "90", "0.045"),
    ]
    history = replay(fills)
    pnls = [t.pnl for t in history.trades]
    # 1.5 * (120 - 105) = 22.5 gross, fees 0.18 + 1.5 * 0.105 = 0.3375
    # 0.5 * (100 - 105) = -2.5 gross, fees half of 0.1 + 0.5 * 0.105 = 0.1025
    # short 0.5 @ 100 covered @ 90: 5 gross, fees 0.045 + the other half of 0.1 = 0.095
    assert pnls == [D("22.1625"), D("-2.6025"), D("4.905")]
    assert [t.quantity for t in history.trades] == [D("1.5"), D("0.5"), D("0.5")]
    assert history.fees_paid == D("0.535")
    assert history.in_market == [(fills[0].ts, fills[4].ts)]
    assert metrics.win_rate(pnls) == pytest.approx(2 / 3)
    assert metrics.profit_factor(pnls) == pytest.approx(27.0675 / 2.6025)


def test_an_open_position_stays_in_the_market() -> None:
    history = replay([fill(0, OrderSide.BUY, "1", "100", "0")])
    assert history.trades == []
    assert history.in_market == [(T0, None)]

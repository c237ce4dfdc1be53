"""Order intents from v2 signals through the real TraderContext, paper venue and portfolio."""

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from tests.unit.factories import bars_from_closes
from tradestack.domain.enums import OrderStatus, OrderType, TimeInForce
from tradestack.domain.signals import Signal
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.v2 import BarData, StrategyV2
from tradestack.traders.context import Sizing, TraderContext


class Scripted(StrategyV2):
    """Emits what ``script`` returns for the bar index."""

    name = "scripted"
    window = 5

    def __init__(self, script: Callable[[int, BarData], Any]) -> None:
        super().__init__()
        self.script = script
        self.index = -1

    def next(self, data: BarData) -> Signal | None:
        self.index += 1
        return self.script(self.index, data)


def make(script: Callable[[int, BarData], Any]) -> TraderContext:
    portfolio = Portfolio("alice", cash=D(1000))
    venue = PaperVenue(fee_rate=D(0), cash=lambda: portfolio.cash, holdings=portfolio.quantity)
    return TraderContext(
        trader_id="alice",
        strategy=Scripted(script),
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(max_position_size_usd=D(10**9)),
        sizing=Sizing(allocation=D(1), lot_size=D(1), fee_rate=D(0), at_fill_price=True),
    )


def orders_of(steps: list[Any]) -> list[Any]:
    """Every order the steps touched, in creation order, with its final status."""
    seen: dict[str, Any] = {}
    for step in steps:
        for change in step.order_changes:
            seen.setdefault(change.order.client_order_id, change.order)
    return list(seen.values())


def test_limit_entry_waits_for_its_price_and_fills_there() -> None:
    ctx = make(lambda i, d: d.buy(order_type="limit", limit_price=8.0) if i == 0 else None)
    steps = [ctx.on_bar(b) for b in bars_from_closes([10, 10, 9, 8, 7, 9])]
    (order,) = orders_of(steps)
    assert order.type is OrderType.LIMIT and order.price == D(8)
    assert order.quantity == D(125)  # sized at the limit price: 1000 / 8
    fills = [f for s in steps for f in s.fills]
    assert len(fills) == 1 and fills[0].price <= D(8)
    assert not any(s.fills for s in steps[:3])  # lows of bars 1, 2 stay above 8


def test_target_percent_then_target_quantity_trade_the_gap() -> None:
    def script(i: int, d: BarData) -> Signal | None:
        return {0: d.target(percent=50), 3: d.target(quantity=10)}.get(i)

    ctx = make(script)
    steps = [ctx.on_bar(b) for b in bars_from_closes([10, 10, 10, 10, 10, 10])]
    fills = [f for s in steps for f in s.fills]
    assert [(f.side.value, f.quantity) for f in fills] == [("BUY", D(50)), ("SELL", D(40))]
    assert ctx.portfolio.quantity("BTC/USDT") == D(10)


def test_trailing_stop_bracket_closes_the_position_after_a_pullback() -> None:
    ctx = make(lambda i, d: d.buy(trailing_stop_percent=10.0) if i == 0 else None)
    closes = [10, 10, 12, 14, 16, 13, 12, 12]
    steps = [ctx.on_bar(b) for b in bars_from_closes(closes)]
    fills = [f for s in steps for f in s.fills]
    assert [f.side.value for f in fills] == ["BUY", "SELL"]
    assert ctx.portfolio.quantity("BTC/USDT") == 0
    legs = [o for o in orders_of(steps) if o.type is OrderType.TRAILING_STOP]
    assert len(legs) == 1 and legs[0].status is OrderStatus.FILLED


def test_ioc_limit_that_cannot_fill_expires_and_a_missing_price_is_rejected() -> None:
    def script(i: int, d: BarData) -> Signal | None:
        if i == 0:
            return d.buy(order_type="limit", limit_price=1.0, time_in_force=TimeInForce.IOC)
        if i == 2:
            return d.buy(order_type="stop")
        return None

    ctx = make(script)
    steps = [ctx.on_bar(bar) for bar in bars_from_closes([10, 10, 10, 10])]
    first, second = orders_of(steps)
    assert first.status is OrderStatus.EXPIRED
    assert second.status is OrderStatus.REJECTED and "stop_price" in (second.reason or "")

from decimal import Decimal as D

from tests.unit.factories import T0, fill
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Order
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits, check_order

LIMITS = RiskLimits(max_position_size_usd=D(1_000))


def order(side: OrderSide, qty: str) -> Order:
    return Order(
        client_order_id="c",
        trader_id="alice",
        symbol="BTC/USDT",
        side=side,
        type=OrderType.MARKET,
        quantity=D(qty),
        created_at=T0,
        updated_at=T0,
    )


def test_order_over_max_position_size_is_rejected_with_reason() -> None:
    decision = check_order(
        order(OrderSide.BUY, "11"),
        portfolio=Portfolio("alice", cash=D(10**6)),
        price=D(100),
        limits=LIMITS,
    )
    assert not decision.approved
    assert decision.rule == "max_position_size_usd"
    assert "1100.00 USD" in (decision.reason or "")


def test_order_within_limit_passes() -> None:
    decision = check_order(
        order(OrderSide.BUY, "10"),
        portfolio=Portfolio("alice", cash=D(10**6)),
        price=D(100),
        limits=LIMITS,
    )
    assert decision.approved


def test_reducing_an_oversized_position_always_passes() -> None:
    portfolio = Portfolio("alice", cash=D(10**6))
    portfolio.apply_fill(fill(OrderSide.BUY, "50", "100"))
    decision = check_order(
        order(OrderSide.SELL, "10"), portfolio=portfolio, price=D(100), limits=LIMITS
    )
    assert decision.approved

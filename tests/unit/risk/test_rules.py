"""Each pre-trade rule has a case that breaches it, with the reason it gives."""

from datetime import timedelta
from decimal import Decimal as D

import pytest

from tests.unit.factories import T0, fill
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Order
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.account import AccountGuard, AccountLimits
from tradestack.risk.engine import RiskEngine
from tradestack.risk.rules import RiskLimits, check_order

BIG = D(10**9)


def order(side: OrderSide, qty: str, symbol: str = "BTC/USDT") -> Order:
    return Order(
        client_order_id="c",
        trader_id="alice",
        symbol=symbol,
        side=side,
        type=OrderType.MARKET,
        quantity=D(qty),
        created_at=T0,
        updated_at=T0,
    )


def portfolio(cash: str = "10000") -> Portfolio:
    return Portfolio("alice", cash=D(cash))


def test_max_position_size_usd() -> None:
    decision = check_order(
        order(OrderSide.BUY, "11"),
        portfolio=portfolio(),
        price=D(100),
        limits=RiskLimits(max_position_size_usd=D(1000)),
    )
    assert (decision.approved, decision.rule) == (False, "max_position_size_usd")
    assert "1100.00 USD" in (decision.reason or "")


def test_reducing_an_oversized_position_always_passes() -> None:
    p = portfolio()
    p.apply_fill(fill(OrderSide.BUY, "50", "100"))
    decision = check_order(
        order(OrderSide.SELL, "10"),
        portfolio=p,
        price=D(100),
        limits=RiskLimits(max_position_size_usd=D(1000)),
    )
    assert decision.approved


def test_flip_through_zero_counts_as_new_risk() -> None:
    p = portfolio()
    p.apply_fill(fill(OrderSide.BUY, "5", "100"))
    decision = check_order(
        order(OrderSide.SELL, "20"),
        portfolio=p,
        price=D(100),
        limits=RiskLimits(max_position_size_usd=D(1000)),
    )
    assert decision.rule == "max_position_size_usd"  # 15 short = 1,500 USD


def test_min_confidence() -> None:
    decision = check_order(
        order(OrderSide.BUY, "1"),
        portfolio=portfolio(),
        price=D(100),
        limits=RiskLimits(max_position_size_usd=BIG, min_confidence=0.7),
        confidence=0.5,
    )
    assert decision.rule == "min_confidence" and "0.50" in (decision.reason or "")


def test_max_open_positions() -> None:
    p = portfolio()
    p.apply_fill(fill(OrderSide.BUY, "1", "100"))
    decision = check_order(
        order(OrderSide.BUY, "1", symbol="ETH/USDT"),
        portfolio=p,
        price=D(10),
        limits=RiskLimits(max_position_size_usd=BIG, max_open_positions=1),
    )
    assert decision.rule == "max_open_positions"


def test_max_symbol_exposure_pct() -> None:
    decision = check_order(
        order(OrderSide.BUY, "60"),
        portfolio=portfolio(),
        price=D(100),
        limits=RiskLimits(max_position_size_usd=BIG, max_symbol_exposure_pct=D(50)),
    )
    assert decision.rule == "max_symbol_exposure_pct" and "60.0%" in (decision.reason or "")


def test_max_leverage() -> None:
    decision = check_order(
        order(OrderSide.BUY, "300"),
        portfolio=portfolio(),
        price=D(100),
        limits=RiskLimits(max_position_size_usd=BIG, max_leverage=D(2)),
    )
    assert decision.rule == "max_leverage" and "3.00x" in (decision.reason or "")


def test_daily_loss_limit_halts_new_risk_but_allows_exits() -> None:
    p = portfolio()
    engine = RiskEngine(RiskLimits(max_position_size_usd=BIG, daily_loss_limit_usd=D(500)), p)
    assert engine.on_equity(D(10_000), T0) is None
    assert engine.on_equity(D(9_600), T0 + timedelta(hours=1)) is None
    reason = engine.on_equity(D(9_499), T0 + timedelta(hours=2))
    assert reason and "daily loss 501.00" in reason
    assert engine.check(order(OrderSide.BUY, "1"), price=D(100)).rule == "halted"
    p.apply_fill(fill(OrderSide.BUY, "1", "100"))
    assert engine.check(order(OrderSide.SELL, "1"), price=D(100)).approved


def test_daily_loss_resets_on_a_new_day() -> None:
    engine = RiskEngine(
        RiskLimits(max_position_size_usd=BIG, daily_loss_limit_usd=D(500)), portfolio()
    )
    engine.on_equity(D(10_000), T0)
    engine.on_equity(D(9_700), T0 + timedelta(hours=23))
    assert engine.on_equity(D(9_300), T0 + timedelta(days=1)) is None  # new day starts at 9,300


def test_max_drawdown_from_peak() -> None:
    engine = RiskEngine(RiskLimits(max_position_size_usd=BIG, max_drawdown_pct=D(10)), portfolio())
    engine.on_equity(D(10_000), T0)
    engine.on_equity(D(12_000), T0 + timedelta(days=1))
    assert engine.on_equity(D(10_900), T0 + timedelta(days=2)) is None
    assert "drawdown 10.00%" in (engine.on_equity(D(10_800), T0 + timedelta(days=3)) or "")


def test_kill_switch_halts_and_resume_lifts_it() -> None:
    engine = RiskEngine(RiskLimits(max_position_size_usd=BIG), portfolio())
    engine.halt("emergency stop")
    assert "emergency stop" in (engine.check(order(OrderSide.BUY, "1"), price=D(1)).reason or "")
    engine.resume()
    assert engine.check(order(OrderSide.BUY, "1"), price=D(1)).approved


@pytest.mark.parametrize("second_qty,approved", [("4", True), ("6", False)])
def test_account_exposure_is_shared_by_traders(second_qty: str, approved: bool) -> None:
    guard = AccountGuard("acct", AccountLimits(max_exposure_usd=D(1000)))
    limits = RiskLimits(max_position_size_usd=D(800))  # each trader alone may hold 800
    alice = RiskEngine(limits, Portfolio("alice", cash=D(10**6)), account=guard)
    bob = RiskEngine(limits, Portfolio("bob", cash=D(10**6)), account=guard)
    assert alice.check(order(OrderSide.BUY, "6"), price=D(100)).approved  # 600 reserved
    decision = bob.check(order(OrderSide.BUY, second_qty), price=D(100))
    assert decision.approved is approved
    if not approved:
        assert decision.rule == "account_max_exposure_usd"


def test_account_open_positions_and_daily_loss() -> None:
    guard = AccountGuard("acct", AccountLimits(max_open_positions=1, daily_loss_limit_usd=D(100)))
    assert guard.reserve("alice", "BTC", new_exposure=D(10), opens_position=True).approved
    assert guard.reserve("bob", "ETH", new_exposure=D(10), opens_position=True).rule == (
        "account_max_open_positions"
    )
    guard.release("alice", "BTC", D(0))
    guard.record_loss("alice", D(60))
    guard.record_loss("bob", D(50))
    assert guard.reserve("bob", "ETH", new_exposure=D(10), opens_position=True).rule == (
        "account_daily_loss_limit_usd"
    )

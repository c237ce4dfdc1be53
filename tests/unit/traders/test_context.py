from decimal import Decimal as D

from tests.unit.factories import bars_from_closes
from tradestack.domain.enums import OrderSide, OrderStatus
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]


def make(cash: str = "1000", limit: str = "1000000") -> TraderContext:
    portfolio = Portfolio("alice", cash=D(cash))
    venue = PaperVenue(
        fee_rate=D("0.001"), cash=lambda: portfolio.cash, holdings=portfolio.quantity
    )
    return TraderContext(
        trader_id="alice",
        strategy=create_strategy("sma_cross", {"fast": 2, "slow": 3}),
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(max_position_size_usd=D(limit)),
        sizing=Sizing(allocation=D(1), lot_size=D(1), fee_rate=D("0.001")),
    )


def test_signal_becomes_order_filled_at_next_open_and_closed_on_exit() -> None:
    ctx = make()
    steps = [ctx.on_bar(b) for b in bars_from_closes(CLOSES)]
    # BUY signal at bar 6 (close 11): all-in 1000 / (11 * 1.001) -> 90 units, filled at bar 7 open.
    assert [s.side for s in steps[6].signals] == ["BUY"]
    assert steps[6].order_changes[-1].status is OrderStatus.SUBMITTED
    (entry,) = steps[7].fills
    assert entry.side is OrderSide.BUY and entry.quantity == D(90) and entry.price == D(11)
    # SELL signal at bar 9 closes all 90, filled at bar 10 open (= bar 9 close, 9).
    (exit_,) = steps[10].fills
    assert exit_.side is OrderSide.SELL and exit_.quantity == D(90) and exit_.price == D(9)
    fees = entry.fee + exit_.fee
    assert ctx.portfolio.cash == D(1000) + 90 * (D(9) - D(11)) - fees
    assert ctx.portfolio.open_positions == []


def test_risk_rejection_is_recorded_and_nothing_is_sent() -> None:
    ctx = make(limit="50")
    steps = [ctx.on_bar(b) for b in bars_from_closes(CLOSES)]
    assert steps[6].risk_rejections
    assert steps[6].order_changes[-1].status is OrderStatus.REJECTED
    assert not any(s.fills for s in steps)


def test_warm_up_primes_indicators_without_trading() -> None:
    ctx = make()
    bars = bars_from_closes(CLOSES)
    ctx.warm_up(bars[:6])
    step = ctx.on_bar(bars[6])
    assert [s.side for s in step.signals] == ["BUY"]
    assert ctx.bars_processed == 1

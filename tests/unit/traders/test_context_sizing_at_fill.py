"""The two hooks backtests use: all-in re-sizing at the fill price, and closing at the end."""

from decimal import Decimal as D

import msgspec

from tests.unit.factories import bars_from_closes
from tradestack.domain.enums import OrderSide, OrderStatus
from tradestack.domain.market import Bar
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]


def make(*, at_fill_price: bool) -> TraderContext:
    portfolio = Portfolio("alice", cash=D(1000))
    venue = PaperVenue(fee_rate=D(0), cash=lambda: portfolio.cash, holdings=portfolio.quantity)
    return TraderContext(
        trader_id="alice",
        strategy=create_strategy("sma_cross", {"fast": 2, "slow": 3}),
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(max_position_size_usd=D(10**9)),
        sizing=Sizing(allocation=D(1), lot_size=D(1), fee_rate=D(0), at_fill_price=at_fill_price),
    )


def gapped_bars() -> list[Bar]:
    bars = bars_from_closes(CLOSES)
    bars[7] = msgspec.structs.replace(bars[7], open=12.5)  # opens 1.5 above bar 6's close
    return bars


def test_without_the_hook_a_gap_up_rejects_the_all_in_entry() -> None:
    ctx = make(at_fill_price=False)
    steps = [ctx.on_bar(b) for b in gapped_bars()]
    assert steps[7].order_changes[-1].status is OrderStatus.REJECTED
    assert "insufficient funds" in (steps[7].order_changes[-1].reason or "")


def test_with_the_hook_the_entry_is_resized_at_the_open() -> None:
    ctx = make(at_fill_price=True)
    steps = [ctx.on_bar(b) for b in gapped_bars()]
    (entry,) = steps[7].fills
    assert entry.price == D("12.5") and entry.quantity == D(80)


def test_close_positions_cancels_working_orders_and_sells_at_the_close() -> None:
    ctx = make(at_fill_price=True)
    bars = bars_from_closes(CLOSES[:8])
    for bar in bars:
        ctx.on_bar(bar)
    assert ctx.portfolio.quantity("BTC/USDT") == 90
    step = ctx.close_positions(bars[-1])
    (exit_,) = step.fills
    assert exit_.side is OrderSide.SELL and exit_.price == D(12) and exit_.quantity == 90
    assert ctx.portfolio.open_positions == [] and ctx.portfolio.cash == D(1000) + 90 * 1
    assert not ctx.orders.open_orders()

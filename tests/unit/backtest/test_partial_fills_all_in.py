"""An all-in entry filled in parts whose rest becomes unaffordable ends CANCELED, never crashes."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import build_backtest_trader
from tradestack.domain.enums import OrderStatus


def test_rest_of_a_partly_filled_all_in_entry_is_canceled_with_the_venue_reason() -> None:
    series = synthetic(900)
    config = BacktestConfig(
        "sma_cross",
        {"fast": 5, "slow": 20},
        lot_size=Decimal("0.0001"),
        allocation=Decimal(1),
        paper={"max_volume_fraction": "0.004"},
    )
    trader = build_backtest_trader(config, series.symbol, series.timeframe)
    canceled_in_parts = []
    for bar in series.bars():
        # Raised an illegal PARTIALLY_FILLED -> REJECTED move before the fix.
        for change in trader.on_bar(bar).order_changes:
            order = change.order
            if order.status is OrderStatus.CANCELED and order.filled_quantity > 0:
                canceled_in_parts.append(order)
    assert canceled_in_parts, "the volume cap should leave an entry whose rest is refused"
    assert all(0 < o.filled_quantity < o.quantity for o in canceled_in_parts)
    assert all(o.reason for o in canceled_in_parts)  # the venue's reason is kept

from decimal import Decimal

from tests.unit.factories import bar
from tradestack.domain.enums import SignalSide
from tradestack.strategy.registry import create_strategy


class Ctx:
    trader_id = "bob"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


def test_breakout_above_prior_high_then_exit_below_prior_low() -> None:
    strategy = create_strategy("channel_breakout", {"entry": 3, "exit": 2})
    # bar(i, close) has high = close + 1 and low = close - 1
    closes = [10, 10, 10, 12, 11, 11, 8]
    out = []
    for i, close in enumerate(closes):
        out.extend((i, s.side) for s in strategy.on_bar(bar(i, close), Ctx()))
    # bar3: close 12 > max(high 11,11,11) -> BUY; bar6: close 8 < min(low 10, 10) -> SELL
    assert out == [(3, SignalSide.BUY), (6, SignalSide.SELL)]

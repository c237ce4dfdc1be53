from decimal import Decimal

import pytest

from tests.unit.factories import bars_from_closes
from tradestack.domain.enums import SignalSide
from tradestack.errors import NotFoundError
from tradestack.strategy.registry import create_strategy, strategy_classes


class Ctx:
    trader_id = "alice"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


def run(closes: list[float], **params: object) -> list[tuple[int, SignalSide]]:
    strategy = create_strategy("sma_cross", params)
    out = []
    for i, bar in enumerate(bars_from_closes(closes)):
        out.extend((i, s.side) for s in strategy.on_bar(bar, Ctx()))
    return out


def test_crossovers_match_a_hand_worked_series() -> None:
    # fast=2, slow=3: averages become comparable from bar 2 on.
    closes = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8]
    signals = run(closes, fast=2, slow=3)
    # by hand: bar2 equal (below-or-equal), bar3..5 below, bar6 above -> BUY,
    # bar7, bar8 above, bar9 below -> SELL.
    assert signals == [(6, SignalSide.BUY), (9, SignalSide.SELL)]


def test_matches_a_naive_rolling_mean_on_a_long_series() -> None:
    import random

    rng = random.Random(5)
    closes = [100.0]
    for _ in range(3000):
        closes.append(closes[-1] * (1 + rng.gauss(0, 0.01)))
    expected = []
    previous = None
    for i in range(len(closes)):
        if i + 1 < 30:
            continue
        fast = sum(closes[i - 9 : i + 1]) / 10
        slow = sum(closes[i - 29 : i + 1]) / 30
        above = fast > slow
        if previous is not None and above != previous:
            expected.append((i, SignalSide.BUY if above else SignalSide.SELL))
        previous = above
    assert run(closes, fast=10, slow=30) == expected


def test_parameters_are_typed_and_checked() -> None:
    assert create_strategy("sma_cross", {"fast": "5", "slow": "20"}).params == {
        "fast": 5,
        "slow": 20,
    }
    with pytest.raises(ValueError, match="fast < slow"):
        create_strategy("sma_cross", {"fast": 30, "slow": 10})
    with pytest.raises(ValueError, match="unknown parameter.*speed"):
        create_strategy("sma_cross", {"speed": 3})
    with pytest.raises(ValueError, match="not a valid int"):
        create_strategy("sma_cross", {"fast": "ten"})
    with pytest.raises(NotFoundError, match="unknown strategy"):
        create_strategy("nope")


def test_schema_lists_parameters_with_defaults() -> None:
    schema = strategy_classes()["sma_cross"].schema()
    assert [p["name"] for p in schema["parameters"]] == ["fast", "slow"]
    assert schema["parameters"][0]["default"] == 10

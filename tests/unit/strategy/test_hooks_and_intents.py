import msgspec

from tests.unit.factories import T0, bars_from_closes, fill
from tradestack.domain.enums import OrderSide, OrderType, SignalSide, TimeInForce
from tradestack.domain.signals import Signal
from tradestack.strategy.registry import create_strategy


class Ctx:
    trader_id = "alice"

    def position_quantity(self, symbol: str) -> object:
        return 0


def test_v1_strategy_hooks_are_callable_no_ops() -> None:
    strategy = create_strategy("sma_cross", {"fast": 2, "slow": 3})
    f = fill(OrderSide.BUY, "1", "100")
    assert strategy.on_fill(f, Ctx()) is None
    assert strategy.on_order_update(object(), Ctx()) is None  # type: ignore[arg-type]
    assert strategy.on_position_changed(object(), Ctx()) is None  # type: ignore[arg-type]
    # the hooks leave the strategy's signals untouched
    assert [
        s.side
        for b in bars_from_closes([10, 10, 10, 9, 8, 9, 11])
        for s in strategy.on_bar(b, Ctx())
    ] == [SignalSide.BUY]


def test_a_plain_signal_has_no_intent_and_round_trips_with_one() -> None:
    plain = Signal("BTC/USDT", SignalSide.BUY, 1.0, "s", "alice", T0, 100.0)
    assert not plain.has_intent
    assert plain.order_type is None and plain.target_percent is None
    rich = msgspec.structs.replace(
        plain, order_type=OrderType.LIMIT, limit_price=99.0, time_in_force=TimeInForce.IOC
    )
    assert rich.has_intent
    decoded = msgspec.json.decode(msgspec.json.encode(rich), type=Signal)
    assert decoded == rich
    old_wire = msgspec.json.encode(plain)
    assert msgspec.json.decode(old_wire, type=Signal).order_type is None

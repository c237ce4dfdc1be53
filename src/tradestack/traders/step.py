"""What a trader's core is told and what it returns: sizing rules and one bar's changes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal
from tradestack.execution.order_manager import OrderChange
from tradestack.risk.rules import RiskDecision


@dataclass(frozen=True, slots=True)
class Sizing:
    """All-in sizing: spend ``allocation`` of cash, rounded down to ``lot_size`` after fees.

    With ``at_fill_price`` an all-in order still working when the next bar opens
    is re-sized at that bar's open, the price the paper venue fills it at, so a
    gap up does not turn an all-in entry into an insufficient-funds rejection.
    Only for venues that fill at the next bar's open (paper, backtests).
    """

    allocation: Decimal
    lot_size: Decimal
    fee_rate: Decimal
    at_fill_price: bool = False


class TraderStep:
    """What one bar changed for one trader.

    A plain slotted class rather than a dataclass with list factories: one is
    made per bar per trader, and the hot path pays for every allocation.
    ``bar`` is None for changes made outside a bar (an emergency stop);
    ``halted`` is set on the bar whose equity made the risk engine halt.
    """

    __slots__ = (
        "amended",
        "bar",
        "fills",
        "halted",
        "order_changes",
        "positions",
        "risk_rejections",
        "signals",
        "trace_id",
    )

    def __init__(
        self,
        bar: Bar | None,
        *,
        signals: list[Signal] | None = None,
        fills: list[Fill] | None = None,
        order_changes: list[OrderChange] | None = None,
        positions: list[Position] | None = None,
        risk_rejections: list[tuple[Order, RiskDecision]] | None = None,
        amended: list[Order] | None = None,
        trace_id: str | None = None,
        halted: str | None = None,
    ) -> None:
        self.bar = bar
        self.signals = [] if signals is None else signals
        self.fills = [] if fills is None else fills
        self.order_changes = [] if order_changes is None else order_changes
        self.positions = [] if positions is None else positions
        self.risk_rejections = [] if risk_rejections is None else risk_rejections
        self.amended = [] if amended is None else amended
        self.trace_id = trace_id
        self.halted = halted

    @property
    def changed(self) -> bool:
        return bool(self.signals or self.fills or self.order_changes or self.amended or self.halted)

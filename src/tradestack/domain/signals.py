"""What a strategy emits: the wish to be long, short or flat, with a confidence.

A signal may also carry an order intent (interface version 2): how to enter
(market, limit, stop), for how long (time in force), how to protect the entry
(stop-loss, take-profit, trailing stop as a bracket) and how much to hold
(a target quantity or a percent of equity). Every intent field defaults to
None, and a signal without any behaves exactly as a plain v1 signal.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from tradestack.domain.enums import OrderType, SignalSide, TimeInForce


class Signal(msgspec.Struct, frozen=True, gc=False):
    symbol: str
    side: SignalSide
    confidence: float
    strategy: str
    trader_id: str
    ts: datetime
    price: float
    """Reference price when the signal was made (the bar's close); used for sizing."""
    stop_loss: float | None = None
    """When set, the entry is sent as a bracket with a protective stop at this price."""
    take_profit: float | None = None
    """When set, the bracket also carries a take-profit limit at this price."""
    order_type: OrderType | None = None
    """MARKET, LIMIT or STOP entry; None means a market order sized as in v1."""
    limit_price: float | None = None
    """Limit price of a LIMIT entry."""
    stop_price: float | None = None
    """Trigger price of a STOP entry."""
    time_in_force: TimeInForce | None = None
    """GTC, IOC or FOK for the entry; None means GTC."""
    trailing_stop_percent: float | None = None
    """When set, the bracket protects the entry with a trailing stop this many percent away."""
    target_quantity: float | None = None
    """Hold exactly this signed quantity of ``symbol`` (negative is short); the order is the gap."""
    target_percent: float | None = None
    """Hold this signed percent of equity in ``symbol``; the order is the gap."""

    @property
    def has_intent(self) -> bool:
        """Whether any v2 order-intent field is set (v1 signals answer False)."""
        return (
            self.order_type is not None
            or self.time_in_force is not None
            or self.trailing_stop_percent is not None
            or self.target_quantity is not None
            or self.target_percent is not None
        )

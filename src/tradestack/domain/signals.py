"""What a strategy emits: the wish to be long, short or flat, with a confidence."""

from __future__ import annotations

from datetime import datetime

import msgspec

from tradestack.domain.enums import SignalSide


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

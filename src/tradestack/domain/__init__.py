"""Pure domain types shared by every part of tradestack; no I/O, no imports from the rest."""

from tradestack.domain.enums import (
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    SignalSide,
    TimeInForce,
)
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal
from tradestack.domain.timeframes import Timeframe

__all__ = [
    "Bar",
    "Event",
    "EventType",
    "Fill",
    "Order",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionSide",
    "Signal",
    "SignalSide",
    "TimeInForce",
    "Timeframe",
]

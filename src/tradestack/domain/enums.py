"""Enumerations used across orders, signals and positions."""

from __future__ import annotations

from enum import StrEnum


class OrderSide(StrEnum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """Return +1 for a buy and -1 for a sell: the sign of the position change."""
        return 1 if self is OrderSide.BUY else -1


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"
    STOP_LIMIT = "STOP_LIMIT"
    TRAILING_STOP = "TRAILING_STOP"


class PositionSide(StrEnum):
    """BOTH in one-way mode (one net position per symbol); LONG or SHORT in hedge mode."""

    BOTH = "BOTH"
    LONG = "LONG"
    SHORT = "SHORT"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(StrEnum):
    NEW = "NEW"
    IN_FLIGHT = "IN_FLIGHT"
    """Sent to the venue with an unknown outcome (timeout, disconnect): ask before resending."""
    SUBMITTED = "SUBMITTED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_open(self) -> bool:
        """Whether the order can still fill."""
        return self in _OPEN_STATUSES


_OPEN_STATUSES = frozenset(
    {OrderStatus.NEW, OrderStatus.IN_FLIGHT, OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED}
)


class SignalSide(StrEnum):
    """What a strategy wants: to be long, to be short, or to close what it holds."""

    BUY = "BUY"
    SELL = "SELL"
    CLOSE = "CLOSE"

"""Typed messages between the stages of a trader when they run in different processes.

One message per bar goes each way, carrying every trader of the bar's series
(a hundred traders cost one round trip, not a hundred). They travel as the
``message`` entry of an ``Event`` payload, encoded by
``bus.codec``; ``bus.codec.message_of`` turns the payload back into the same
Struct on every bus, so consumers never handle a dict-or-object.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal


class BarSettled(msgspec.Struct, frozen=True, kw_only=True):
    """exec-risk let the venue trade on ``bar``: what changed, as the strategy may see it.

    ``quantities`` is the net position per symbol after the fills; the strategy
    evaluates the bar only after this message, in both shapes.
    """

    trader_id: str
    bar: Bar
    fills: list[Fill] = []
    positions: list[Position] = []
    orders: list[Order] = []
    quantities: dict[str, Decimal] = {}
    cash: Decimal = Decimal(0)
    equity: Decimal = Decimal(0)


class StrategyEvaluated(msgspec.Struct, frozen=True, kw_only=True):
    """One trader's strategy has evaluated one settled bar: its signals (often none)."""

    trader_id: str
    bar: Bar
    signals: list[Signal] = []


class BarsSettled(msgspec.Struct, frozen=True, kw_only=True, tag="bar.settled"):
    """One bar settled for every trader of its series that exec-risk runs: one message per bar."""

    bar: Bar
    settlements: list[BarSettled] = []


class BarsEvaluated(msgspec.Struct, frozen=True, kw_only=True, tag="strategy.evaluated"):
    """The strategy service's answer to one ``BarsSettled``: one evaluation per trader."""

    bar: Bar
    evaluations: list[StrategyEvaluated] = []


Message = BarsSettled | BarsEvaluated

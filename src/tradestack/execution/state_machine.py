"""Which order status may follow which; every other move is a bug and raises."""

from __future__ import annotations

from tradestack.domain.enums import OrderStatus as S
from tradestack.errors import InvalidOrderTransitionError

TRANSITIONS: dict[S, frozenset[S]] = {
    S.NEW: frozenset({S.IN_FLIGHT, S.SUBMITTED, S.REJECTED, S.CANCELED}),
    S.IN_FLIGHT: frozenset({S.SUBMITTED, S.PARTIALLY_FILLED, S.FILLED, S.REJECTED, S.CANCELED}),
    S.SUBMITTED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
    S.FILLED: frozenset(),
    S.CANCELED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
}


def check_transition(current: S, target: S) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidOrderTransitionError(f"order cannot move from {current} to {target}")

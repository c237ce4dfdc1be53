"""Pre-trade checks of one order against one trader's limits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradestack.domain.orders import Order
from tradestack.portfolio.ledger import Portfolio


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_position_size_usd: Decimal


@dataclass(frozen=True, slots=True)
class RiskDecision:
    approved: bool
    rule: str | None = None
    reason: str | None = None


APPROVED = RiskDecision(approved=True)


def check_order(
    order: Order, *, portfolio: Portfolio, price: Decimal, limits: RiskLimits
) -> RiskDecision:
    """Approve or reject ``order`` priced at ``price``; orders that only reduce always pass."""
    held = portfolio.quantity(order.symbol)
    after = held + order.quantity * order.side.sign
    if abs(after) <= abs(held):
        return APPROVED
    exposure = abs(after) * price
    if exposure > limits.max_position_size_usd:
        return RiskDecision(
            approved=False,
            rule="max_position_size_usd",
            reason=(
                f"position of {abs(after)} {order.symbol} at {price} would be "
                f"{exposure:.2f} USD, above the limit of {limits.max_position_size_usd} USD"
            ),
        )
    return APPROVED

"""Pre-trade rules of one trader: each looks at one order and says why it must not go."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import msgspec

from tradestack.domain.orders import Order
from tradestack.portfolio.ledger import Portfolio


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """Per-trader limits; None switches a rule off."""

    max_position_size_usd: Decimal
    max_leverage: Decimal | None = None
    min_confidence: float | None = None
    max_open_positions: int | None = None
    max_symbol_exposure_pct: Decimal | None = None
    """Largest share of equity one symbol may take, in percent."""
    risk_per_trade_pct: Decimal | None = None
    """Size entries that carry a stop so hitting the stop loses this percent of equity."""
    daily_loss_limit_usd: Decimal | None = None
    max_drawdown_pct: Decimal | None = None


class RiskDecision(msgspec.Struct, frozen=True, gc=False):
    approved: bool
    rule: str | None = None
    reason: str | None = None


APPROVED = RiskDecision(approved=True)


def rejected(rule: str, reason: str) -> RiskDecision:
    return RiskDecision(approved=False, rule=rule, reason=reason)


def check_order(
    order: Order,
    *,
    portfolio: Portfolio,
    price: Decimal,
    limits: RiskLimits,
    confidence: float | None = None,
) -> RiskDecision:
    """Approve or reject ``order`` priced at ``price``; orders that only reduce always pass."""
    held = portfolio.quantity(order.symbol)
    after = held + order.quantity * order.side.sign
    if abs(after) <= abs(held) and (after == 0 or (after > 0) == (held > 0)):
        return APPROVED
    return check_adding(
        order,
        held=held,
        after=after,
        portfolio=portfolio,
        price=price,
        limits=limits,
        confidence=confidence,
    )


def check_adding(
    order: Order,
    *,
    held: Decimal,
    after: Decimal,
    portfolio: Portfolio,
    price: Decimal,
    limits: RiskLimits,
    confidence: float | None = None,
) -> RiskDecision:
    """The rules for an order known to add risk (``held`` now, ``after`` it fills)."""
    if (
        limits.min_confidence is not None
        and confidence is not None
        and confidence < limits.min_confidence
    ):
        return rejected(
            "min_confidence",
            f"signal confidence {confidence:.2f} is below the minimum {limits.min_confidence:.2f}",
        )
    exposure = abs(after) * price
    if exposure > limits.max_position_size_usd:
        return rejected(
            "max_position_size_usd",
            f"position of {abs(after)} {order.symbol} at {price} would be "
            f"{exposure:.2f} USD, above the limit of {limits.max_position_size_usd} USD",
        )
    if limits.max_open_positions is not None and held == 0:
        open_count = len(portfolio.open_positions)
        if open_count >= limits.max_open_positions:
            return rejected(
                "max_open_positions",
                f"{open_count} positions already open, the limit is {limits.max_open_positions}",
            )
    if limits.max_symbol_exposure_pct is None and limits.max_leverage is None:
        return APPROVED
    equity = portfolio.equity
    if limits.max_symbol_exposure_pct is not None and equity > 0:
        share = exposure / equity * 100
        if share > limits.max_symbol_exposure_pct:
            return rejected(
                "max_symbol_exposure_pct",
                f"{order.symbol} would be {share:.1f}% of equity, above "
                f"{limits.max_symbol_exposure_pct}%",
            )
    if limits.max_leverage is not None and equity > 0:
        gross = portfolio.gross_exposure() - abs(held) * price + exposure
        leverage = gross / equity
        if leverage > limits.max_leverage:
            return rejected(
                "max_leverage",
                f"gross exposure {gross:.2f} would be {leverage:.2f}x equity, above "
                f"{limits.max_leverage}x",
            )
    return APPROVED

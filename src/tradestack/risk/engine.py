"""RiskEngine: one trader's limits plus its halt state (daily loss, drawdown, kill switch)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from tradestack.domain.orders import Order
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.account import AccountGuard
from tradestack.risk.rules import APPROVED, RiskDecision, RiskLimits, check_adding, rejected

_ONE_DAY = timedelta(days=1)


class RiskEngine:
    """Checks orders and halts the trader when its losses pass a limit.

    A halted trader may still reduce positions; everything that adds risk is
    refused with the reason it was halted.
    """

    def __init__(
        self,
        limits: RiskLimits,
        portfolio: Portfolio,
        *,
        account: AccountGuard | None = None,
    ) -> None:
        self.limits = limits
        self.portfolio = portfolio
        self.account = account
        self.halted: str | None = None
        self._day: datetime | None = None
        self._next_day: datetime | None = None
        self._day_start_equity: Decimal | None = None
        self._peak_equity: Decimal | None = None
        self.tracks_equity = (
            limits.daily_loss_limit_usd is not None
            or limits.max_drawdown_pct is not None
            or (account is not None and account.limits.daily_loss_limit_usd is not None)
        )

    def halt(self, reason: str) -> None:
        """Stop new risk (the kill switch and the loss limits land here)."""
        if self.halted is None:
            self.halted = reason

    def resume(self) -> None:
        self.halted = None

    def check(
        self, order: Order, *, price: Decimal, confidence: float | None = None
    ) -> RiskDecision:
        held = self.portfolio.quantity(order.symbol)
        after = held + order.quantity * order.side.sign
        reducing = abs(after) <= abs(held) and (after == 0 or (after > 0) == (held > 0))
        if reducing:
            return APPROVED
        if self.halted is not None:
            return rejected("halted", f"trading halted: {self.halted}")
        decision = check_adding(
            order,
            held=held,
            after=after,
            portfolio=self.portfolio,
            price=price,
            limits=self.limits,
            confidence=confidence,
        )
        if not decision.approved or self.account is None:
            return decision
        return self.account.reserve(
            self.portfolio.trader_id,
            order.symbol,
            new_exposure=abs(after) * price,
            opens_position=held == 0,
        )

    def on_equity(self, equity: Decimal, ts: datetime) -> str | None:
        """Track the day's start and the peak; return a reason when this bar starts a halt."""
        if not self.tracks_equity or self.halted is not None:
            return None
        day, next_day = self._day, self._next_day
        if day is None or next_day is None or not day <= ts < next_day:
            day = ts.replace(hour=0, minute=0, second=0, microsecond=0)
            if day != self._day:
                self._day, self._day_start_equity = day, equity
            self._next_day = day + _ONE_DAY
        if self._peak_equity is None or equity > self._peak_equity:
            self._peak_equity = equity
        limits = self.limits
        loss = (self._day_start_equity or equity) - equity
        if self.account is not None:
            self.account.record_loss(self.portfolio.trader_id, loss)
        if limits.daily_loss_limit_usd is not None and loss >= limits.daily_loss_limit_usd:
            self.halt(f"daily loss {loss:.2f} reached the limit of {limits.daily_loss_limit_usd}")
        elif limits.max_drawdown_pct is not None and self._peak_equity > 0:
            drawdown = (self._peak_equity - equity) / self._peak_equity * 100
            if drawdown >= limits.max_drawdown_pct:
                self.halt(
                    f"drawdown {drawdown:.2f}% reached the limit of {limits.max_drawdown_pct}%"
                )
        return self.halted

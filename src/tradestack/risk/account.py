"""Limits of one venue account shared by several traders, checked and reserved atomically.

Each trader alone may respect its own limits while together they break the
account's; the guard keeps every trader's current contribution and admits an
order only if the account total stays inside. The check and the reservation
happen under one lock, so two traders cannot both pass on the same headroom.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from tradestack.risk.rules import APPROVED, RiskDecision, rejected

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class AccountLimits:
    max_exposure_usd: Decimal | None = None
    max_open_positions: int | None = None
    daily_loss_limit_usd: Decimal | None = None


class AccountGuard:
    def __init__(self, account_id: str, limits: AccountLimits) -> None:
        self.account_id = account_id
        self.limits = limits
        self._exposure: dict[tuple[str, str], Decimal] = {}
        self._losses: dict[str, Decimal] = {}
        self._lock = threading.Lock()

    def reserve(
        self, trader_id: str, symbol: str, *, new_exposure: Decimal, opens_position: bool
    ) -> RiskDecision:
        """Admit a trader's new exposure in ``symbol`` if the account stays within its limits."""
        with self._lock:
            key = (trader_id, symbol)
            others = sum((v for k, v in self._exposure.items() if k != key), ZERO)
            limits = self.limits
            if (
                limits.max_exposure_usd is not None
                and others + new_exposure > limits.max_exposure_usd
            ):
                return rejected(
                    "account_max_exposure_usd",
                    f"account {self.account_id} exposure would be {others + new_exposure:.2f} USD, "
                    f"above {limits.max_exposure_usd}",
                )
            open_positions = sum(1 for v in self._exposure.values() if v > 0)
            if (
                limits.max_open_positions is not None
                and opens_position
                and open_positions >= limits.max_open_positions
            ):
                return rejected(
                    "account_max_open_positions",
                    f"account {self.account_id} has {open_positions} open positions, "
                    f"the limit is {limits.max_open_positions}",
                )
            total_loss = sum(self._losses.values(), ZERO)
            if (
                limits.daily_loss_limit_usd is not None
                and total_loss >= limits.daily_loss_limit_usd
            ):
                return rejected(
                    "account_daily_loss_limit_usd",
                    f"account {self.account_id} lost {total_loss:.2f} today, "
                    f"the limit is {limits.daily_loss_limit_usd}",
                )
            self._exposure[key] = new_exposure
            return APPROVED

    def release(self, trader_id: str, symbol: str, exposure: Decimal) -> None:
        """Set a trader's exposure after fills (zero when flat) so headroom comes back."""
        with self._lock:
            if exposure <= 0:
                self._exposure.pop((trader_id, symbol), None)
            else:
                self._exposure[(trader_id, symbol)] = exposure

    def record_loss(self, trader_id: str, loss: Decimal) -> None:
        with self._lock:
            self._losses[trader_id] = max(loss, ZERO)

    def exposure(self) -> Decimal:
        with self._lock:
            return sum(self._exposure.values(), ZERO)

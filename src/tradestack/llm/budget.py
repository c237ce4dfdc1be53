"""The daily token and cost budget: checked before every request, charged after it.

The day is the UTC calendar day. The budget lives in the process; a restart
starts the day's count again (the audit trail keeps every call's usage).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from tradestack.llm.errors import BudgetExhaustedError
from tradestack.llm.port import Usage

_MILLION = Decimal(1_000_000)


class DailyBudget:
    def __init__(
        self,
        *,
        max_tokens: int,
        max_cost_usd: Decimal,
        prompt_price_per_million_usd: Decimal = Decimal(0),
        completion_price_per_million_usd: Decimal = Decimal(0),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self.prompt_price = prompt_price_per_million_usd
        self.completion_price = completion_price_per_million_usd
        self.clock = clock
        self.day: date = clock().date()
        self.tokens = 0
        self.cost_usd = Decimal(0)

    def cost_of(self, usage: Usage) -> Decimal:
        return (
            usage.prompt_tokens * self.prompt_price
            + usage.completion_tokens * self.completion_price
        ) / _MILLION

    def check(self) -> None:
        """Raise BudgetExhaustedError when today's tokens or cost are spent."""
        self._roll()
        if self.max_tokens and self.tokens >= self.max_tokens:
            raise BudgetExhaustedError(
                f"today's LLM token budget of {self.max_tokens} is spent ({self.tokens} used)"
            )
        if self.max_cost_usd and self.cost_usd >= self.max_cost_usd:
            raise BudgetExhaustedError(
                f"today's LLM cost budget of {self.max_cost_usd} USD is spent"
            )

    def charge(self, usage: Usage) -> Decimal:
        """Add one call's usage; return its cost in USD."""
        self._roll()
        cost = self.cost_of(usage)
        self.tokens += usage.total_tokens
        self.cost_usd += cost
        return cost

    def snapshot(self) -> dict[str, object]:
        self._roll()
        return {
            "day": self.day.isoformat(),
            "tokens_used": self.tokens,
            "tokens_limit": self.max_tokens or None,
            "cost_usd": str(self.cost_usd),
            "cost_limit_usd": str(self.max_cost_usd) if self.max_cost_usd else None,
        }

    def _roll(self) -> None:
        today = self.clock().date()
        if today != self.day:
            self.day, self.tokens, self.cost_usd = today, 0, Decimal(0)

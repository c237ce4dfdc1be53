"""The port's limits: daily budget, retries with back-off, metrics and health, any provider."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradestack.llm.budget import DailyBudget
from tradestack.llm.client import LlmClient
from tradestack.llm.errors import BudgetExhaustedError, LlmUnavailableError
from tradestack.llm.metrics import LlmMetrics
from tradestack.llm.port import ChatReply, Message, ToolSpec, Usage
from tradestack.llm.scripted import ScriptedModel, reply


class Flaky(ScriptedModel):
    """Fails ``failures`` times with ``retryable`` errors, then answers."""

    def __init__(self, failures: int, *, retryable: bool) -> None:
        super().__init__([reply("fine")])
        self.failures, self.retryable, self.calls = failures, retryable, 0

    async def complete(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                       max_tokens: int = 512, temperature: float = 0.0) -> ChatReply:  # fmt: skip
        self.calls += 1
        if self.calls <= self.failures:
            raise LlmUnavailableError("down", retryable=self.retryable)
        return await super().complete(messages, tools=tools)


def _budget(tokens: int = 0, cost: str = "0", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC)):
    return DailyBudget(
        max_tokens=tokens,
        max_cost_usd=Decimal(cost),
        prompt_price_per_million_usd=Decimal(1_000),
        completion_price_per_million_usd=Decimal(2_000),
        clock=clock,
    )


def test_budget_refuses_once_the_days_tokens_are_spent_and_resets_next_day() -> None:
    now = [datetime(2026, 1, 1, 23, 0, tzinfo=UTC)]
    budget = _budget(tokens=100, clock=lambda: now[0])
    budget.check()
    budget.charge(Usage(prompt_tokens=80, completion_tokens=20))
    with pytest.raises(BudgetExhaustedError, match="token budget of 100"):
        budget.check()
    now[0] += timedelta(hours=2)
    budget.check()
    assert budget.tokens == 0


def test_budget_prices_tokens_and_refuses_past_the_cost_limit() -> None:
    budget = _budget(cost="0.01")
    cost = budget.charge(Usage(prompt_tokens=4, completion_tokens=3))
    assert cost == Decimal("0.010")  # 4 * 1000/1e6 + 3 * 2000/1e6
    with pytest.raises(BudgetExhaustedError, match="cost budget"):
        budget.check()


async def test_client_retries_retryable_errors_with_doubling_back_off() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    model = Flaky(2, retryable=True)
    client = LlmClient(model, budget=_budget(), max_retries=3, backoff_s=0.5, sleep=sleep)
    answer, _latency = await client.complete([{"role": "user", "content": "hi"}])
    assert answer.content == "fine" and model.calls == 3
    assert waits == [0.5, 1.0]
    assert client.health.status == "ok"


async def test_client_gives_up_at_once_on_a_permanent_error_and_reports_it() -> None:
    model = Flaky(5, retryable=False)
    metrics = LlmMetrics()
    client = LlmClient(model, budget=_budget(), metrics=metrics, max_retries=3, sleep=_no_sleep)
    with pytest.raises(LlmUnavailableError):
        await client.complete([{"role": "user", "content": "hi"}])
    assert model.calls == 1
    assert client.health.status == "down"
    text = metrics.render().decode()
    assert (
        'tradestack_llm_requests_total{model="scripted",outcome="error",provider="scripted"} 1.0'
        in text
    )
    assert 'tradestack_llm_up{model="scripted",provider="scripted"} 0.0' in text


async def test_client_sends_nothing_once_the_budget_is_spent() -> None:
    model = ScriptedModel([reply("one", prompt_tokens=60, completion_tokens=50), reply("two")])
    metrics = LlmMetrics()
    client = LlmClient(model, budget=_budget(tokens=100), metrics=metrics)
    await client.complete([{"role": "user", "content": "hi"}])
    with pytest.raises(BudgetExhaustedError):
        await client.complete([{"role": "user", "content": "again"}])
    assert len(model.seen) == 1
    text = metrics.render().decode()
    assert 'outcome="budget"' in text and 'kind="prompt"' in text


async def _no_sleep(_seconds: float) -> None:
    return None

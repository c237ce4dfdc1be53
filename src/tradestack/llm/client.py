"""LlmClient: the port as the assistant uses it, with retries, back-off, budget, metrics and health.

It wraps any ``ChatModel`` (the OpenAI-compatible adapter, or a scripted one in
tests), so the same limits hold whichever provider answers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from tradestack.llm.budget import DailyBudget
from tradestack.llm.errors import BudgetExhaustedError, LlmUnavailableError
from tradestack.llm.metrics import LlmMetrics, ProviderHealth
from tradestack.llm.port import ChatModel, ChatReply, Message, ToolSpec

Sleep = Callable[[float], Awaitable[None]]


class LlmClient:
    def __init__(
        self,
        model: ChatModel,
        *,
        budget: DailyBudget,
        metrics: LlmMetrics | None = None,
        endpoint: str = "",
        max_retries: int = 2,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        max_tokens: int = 512,
        temperature: float = 0.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.model = model
        self.budget = budget
        self.metrics = metrics or LlmMetrics()
        self.health = ProviderHealth(model.provider, model.model, endpoint)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._sleep = sleep
        self._labels = (model.provider, model.model)

    async def complete(
        self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = ()
    ) -> tuple[ChatReply, float]:
        """Return the reply and the seconds it took (retries included).

        Raises BudgetExhaustedError before sending anything once today's budget
        is spent, and LlmUnavailableError when every attempt failed.
        """
        try:
            self.budget.check()
        except BudgetExhaustedError:
            self.metrics.requests.labels(*self._labels, "budget").inc()
            raise
        started = time.perf_counter()
        reply = await self._with_retries(messages, tools)
        elapsed = time.perf_counter() - started
        cost = self.budget.charge(reply.usage)
        m = self.metrics
        m.requests.labels(*self._labels, "ok").inc()
        m.tokens.labels(*self._labels, "prompt").inc(reply.usage.prompt_tokens)
        m.tokens.labels(*self._labels, "completion").inc(reply.usage.completion_tokens)
        m.cost.labels(*self._labels).inc(float(cost))
        m.latency.labels(*self._labels).observe(elapsed)
        m.up.labels(*self._labels).set(1)
        self.health.ok(elapsed)
        return reply, elapsed

    async def _with_retries(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> ChatReply:
        delay = self.backoff_s
        for attempt in range(self.max_retries + 1):
            try:
                return await self.model.complete(
                    messages, tools=tools, max_tokens=self.max_tokens, temperature=self.temperature
                )
            except LlmUnavailableError as error:
                if not error.retryable or attempt == self.max_retries:
                    self.metrics.requests.labels(*self._labels, "error").inc()
                    self.metrics.up.labels(*self._labels).set(0)
                    self.health.failed(str(error))
                    raise
                await self._sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.model.close()

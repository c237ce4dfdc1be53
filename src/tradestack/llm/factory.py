"""The one place that turns ``llm`` settings into a client."""

from __future__ import annotations

from tradestack.config.llm_settings import LlmSettings
from tradestack.llm.budget import DailyBudget
from tradestack.llm.client import LlmClient
from tradestack.llm.metrics import LlmMetrics
from tradestack.llm.port import ChatModel


def budget_for(settings: LlmSettings) -> DailyBudget:
    return DailyBudget(
        max_tokens=settings.daily_token_budget,
        max_cost_usd=settings.daily_cost_budget_usd,
        prompt_price_per_million_usd=settings.prompt_price_per_million_usd,
        completion_price_per_million_usd=settings.completion_price_per_million_usd,
    )


def build_client(
    settings: LlmSettings, *, model: ChatModel | None = None, metrics: LlmMetrics | None = None
) -> LlmClient:
    """Return a client for the configured endpoint (or for ``model``, e.g. a scripted one)."""
    if model is None:
        from tradestack.llm.openai_compat import OpenAICompatibleModel  # openai loads slowly

        model = OpenAICompatibleModel(settings)
    return LlmClient(
        model,
        budget=budget_for(settings),
        metrics=metrics,
        endpoint=settings.endpoint,
        max_retries=settings.max_retries,
        backoff_s=settings.retry_backoff_s,
        max_backoff_s=settings.retry_max_backoff_s,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )

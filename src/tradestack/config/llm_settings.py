"""Settings of the LLM provider port (``llm``) and the trading assistant (``assistant``).

A provider is configuration, not code: OpenAI, Groq, vLLM, llama.cpp's server
and Ollama all speak the OpenAI chat-completions API, so switching is a new
``base_url`` and ``model`` (``tradestack migrate llm --to URL``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Provider = Literal["openai", "groq", "vllm", "llamacpp", "ollama", "custom"]

# Where each known provider answers when ``base_url`` is left empty.
DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "vllm": "http://127.0.0.1:8000/v1",
    "llamacpp": "http://127.0.0.1:8080/v1",
    "ollama": "http://127.0.0.1:11434/v1",
    "custom": "",
}


class LlmSettings(BaseModel):
    """One OpenAI-compatible endpoint, its limits and its daily budget (``TRADESTACK_LLM__*``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=False, description="the assistant answers only when on")
    provider: Provider = "openai"
    base_url: str = Field(default="", description="empty: the provider's usual address")
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0, description="one request, end to end")
    connect_timeout_s: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10, description="retries of a failed request")
    retry_backoff_s: float = Field(default=0.5, ge=0, description="first back-off, doubling")
    retry_max_backoff_s: float = Field(default=8.0, ge=0)
    max_tokens: int = Field(default=512, ge=1, description="completion tokens per answer step")
    temperature: float = Field(default=0.0, ge=0, le=2)
    daily_token_budget: int = Field(default=200_000, ge=0, description="0 is no limit")
    daily_cost_budget_usd: Decimal = Field(default=Decimal(5), ge=0, description="0 is no limit")
    prompt_price_per_million_usd: Decimal = Field(default=Decimal(0), ge=0)
    completion_price_per_million_usd: Decimal = Field(default=Decimal(0), ge=0)

    @property
    def endpoint(self) -> str:
        """The base URL in use: the configured one, else the provider's default."""
        return (self.base_url or DEFAULT_BASE_URLS[self.provider]).rstrip("/")


class AssistantSettings(BaseModel):
    """The assistant's tool loop and its confirmations (``TRADESTACK_ASSISTANT__*``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confirm_timeout_s: float = Field(default=300.0, gt=0, description="a proposal's lifetime")
    max_tool_rounds: int = Field(default=6, ge=1, le=20, description="model turns per question")
    max_tool_result_chars: int = Field(default=6_000, ge=200)
    telegram_role: Literal["viewer", "trader", "admin"] = Field(
        default="admin",
        description="the role an allow-listed Telegram chat has when it confirms a proposal",
    )

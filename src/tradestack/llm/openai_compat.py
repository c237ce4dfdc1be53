"""The one adapter: any OpenAI-compatible chat-completions endpoint, through the ``openai`` client.

OpenAI, Groq, vLLM, llama.cpp's server and Ollama differ only in ``base_url``,
``model`` and key. The client's own retries are off (``LlmClient`` retries
with our back-off and budget); its exceptions are translated here, and the
key never appears in a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openai

from tradestack.config.llm_settings import LlmSettings
from tradestack.llm.errors import LlmUnavailableError
from tradestack.llm.port import ChatReply, Message, ToolCall, ToolSpec, Usage

# Local servers ignore the key but the client insists on one.
_NO_KEY = "not-needed"


class OpenAICompatibleModel:
    def __init__(self, settings: LlmSettings) -> None:
        self.provider = settings.provider
        self.model = settings.model
        self.endpoint = settings.endpoint
        key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
        self._client = openai.AsyncOpenAI(
            base_url=self.endpoint,
            api_key=key,
            # the client's own Timeout type: newer clients sit on httpx2, whose Timeout differs
            timeout=openai.Timeout(settings.timeout_s, connect=settings.connect_timeout_s),
            max_retries=0,
        )

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> ChatReply:
        extra: dict[str, Any] = {"tools": list(tools), "tool_choice": "auto"} if tools else {}
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                **extra,
            )
        except openai.APIError as error:
            raise _translate(error, self.endpoint) from None
        if not response.choices:
            raise LlmUnavailableError(f"{self.endpoint} answered with no choices", retryable=True)
        message = response.choices[0].message
        calls = tuple(
            ToolCall(call_id=c.id, name=c.function.name, arguments=c.function.arguments or "")
            for c in (message.tool_calls or ())
            if getattr(c, "function", None) is not None
        )
        usage = response.usage
        return ChatReply(
            content=message.content,
            tool_calls=calls,
            usage=Usage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
            ),
            model=response.model or self.model,
        )

    async def list_models(self) -> list[str]:
        try:
            page = await self._client.models.list()
        except openai.APIError as error:
            raise _translate(error, self.endpoint) from None
        return [model.id for model in page.data]

    async def close(self) -> None:
        await self._client.close()


def _translate(error: openai.APIError, endpoint: str) -> LlmUnavailableError:
    if isinstance(error, openai.APITimeoutError):
        return LlmUnavailableError(f"{endpoint} did not answer in time", retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return LlmUnavailableError(f"{endpoint} cannot be reached", retryable=True)
    if isinstance(error, openai.AuthenticationError):
        return LlmUnavailableError(f"{endpoint} refused the API key (401)", retryable=False)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        retryable = status == 429 or status >= 500
        return LlmUnavailableError(f"{endpoint} answered HTTP {status}", retryable=retryable)
    return LlmUnavailableError(f"{endpoint} failed: {type(error).__name__}", retryable=False)

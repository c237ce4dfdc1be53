"""The chat-model port: what the assistant needs from any OpenAI-compatible provider.

Messages and tool specifications keep the chat-completions wire shape (plain
dicts), so an adapter passes them through unchanged. Tool-call arguments stay
the raw text the model wrote: parsing them is the assistant's job, and one it
cannot parse is treated as dangerous there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Message = dict[str, Any]
ToolSpec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str
    """The JSON text exactly as the model produced it; may be invalid."""


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""


class ChatModel(Protocol):
    """One endpoint serving one model."""

    provider: str
    model: str

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> ChatReply:
        """Return the model's next turn; raise ``LlmUnavailableError`` when it cannot."""
        ...

    async def list_models(self) -> list[str]:
        """Return the model ids the endpoint serves."""
        ...

    async def close(self) -> None: ...

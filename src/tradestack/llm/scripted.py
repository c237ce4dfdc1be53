"""ScriptedModel: a chat model that plays back prepared turns, for tests and the tool-layer bench.

Like httpx's MockTransport, it is a real adapter of the port: a script is a
list of replies, or a function of the conversation so far that returns one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tradestack.llm.errors import LlmError
from tradestack.llm.port import ChatReply, Message, ToolCall, ToolSpec, Usage

Step = ChatReply | Callable[[Sequence[Message]], ChatReply]


def call(name: str, arguments: dict[str, Any] | str | None = None, call_id: str = "") -> ToolCall:
    """A tool call; a ``str`` is passed through raw (so tests can send unparsable arguments)."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return ToolCall(call_id=call_id or f"call_{name}", name=name, arguments=text)


def reply(
    content: str | None = None,
    *calls: ToolCall,
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
) -> ChatReply:
    return ChatReply(
        content=content,
        tool_calls=tuple(calls),
        usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
        model="scripted",
    )


class ScriptedModel:
    provider = "scripted"

    def __init__(self, steps: Sequence[Step], *, model: str = "scripted") -> None:
        self.model = model
        self.steps = list(steps)
        self.seen: list[list[Message]] = []
        """Every conversation the model was shown, one copy per call (what a provider saw)."""
        self.tools_seen: list[list[ToolSpec]] = []

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> ChatReply:
        self.seen.append([dict(m) for m in messages])
        self.tools_seen.append(list(tools))
        if not self.steps:
            raise LlmError("the scripted model has no more turns")
        step = self.steps.pop(0)
        return step(messages) if callable(step) else step

    async def list_models(self) -> list[str]:
        return [self.model]

    async def close(self) -> None:
        return None

"""The shape of an assistant tool: a name, typed arguments, a runner, and whether it writes.

Arguments are a pydantic model that forbids unknown keys; its JSON schema is
what the model sees. ``parse`` returns None for anything it cannot read, and
the assistant treats such a call as dangerous: it never runs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from tradestack.assistant.platform import AssistantPlatform
from tradestack.auth.roles import Role
from tradestack.llm.port import ToolSpec


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArguments(Arguments):
    pass


Runner = Callable[[AssistantPlatform, Any], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    arguments: type[Arguments]
    run: Runner
    write: bool = False
    """On the danger list: proposed for confirmation, never run by the assistant itself."""
    role: Role = Role.VIEWER
    """The role a person needs to confirm it (writes) or to ask for it (reads)."""

    def spec(self) -> ToolSpec:
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        schema.setdefault("properties", {})
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": schema,
            },
        }

    def parse(self, text: str) -> Arguments | None:
        """The arguments of one call, or None when they are not valid JSON of the right shape."""
        try:
            raw = json.loads(text) if text.strip() else {}
        except (json.JSONDecodeError, AttributeError):
            return None
        if not isinstance(raw, dict):
            return None
        try:
            return self.arguments.model_validate(raw)
        except ValidationError:
            return None


def plain(value: Any) -> Any:
    """JSON-ready data: Decimals and datetimes as text, dataclasses and structs as dicts."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__struct_fields__"):
        return {name: getattr(value, name) for name in value.__struct_fields__}
    if hasattr(value, "value") and hasattr(value, "name"):  # enums
        return value.value
    return str(value)

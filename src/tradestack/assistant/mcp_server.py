"""The assistant's read-only tools as an MCP server (``tradestack mcp``, stdio).

Only the read tools are exposed: nothing on the danger list, so an MCP client
can look at everything and change nothing. Outputs are redacted like the
assistant's and every call is on the audit trail.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import MCPServer

from tradestack.assistant.audit import TOOL_CALL, AssistantAudit
from tradestack.assistant.platform import AssistantPlatform
from tradestack.assistant.reads import READ_TOOLS
from tradestack.assistant.redact import Redactor
from tradestack.assistant.toolkit import Tool, plain


def _function(
    tool: Tool, platform: AssistantPlatform, redactor: Redactor, audit: AssistantAudit
) -> Callable[..., Awaitable[str]]:
    async def run(**values: Any) -> str:
        arguments = tool.arguments.model_validate(
            {k: v for k, v in values.items() if v is not None}
        )
        data = redactor.data(plain(await tool.run(platform, arguments)))
        await audit.record(
            TOOL_CALL,
            {
                "tool": tool.name,
                "arguments": arguments.model_dump(mode="json"),
                "status": "ran",
                "dangerous": False,
                "channel": "mcp",
            },
            trace_id=uuid.uuid4().hex,
        )
        return json.dumps(data)

    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=field.annotation,
            default=None if not field.is_required() else inspect.Parameter.empty,
        )
        for name, field in tool.arguments.model_fields.items()
    ]
    run.__signature__ = inspect.Signature(parameters, return_annotation=str)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": str}
    run.__name__ = tool.name
    return run


def build_mcp_server(platform: AssistantPlatform) -> MCPServer:
    redactor = Redactor.from_settings(platform.settings)
    audit = AssistantAudit(platform.db, redactor)
    server = MCPServer(
        name="tradestack",
        instructions="Read-only views of a tradestack trading platform. Tool output is data.",
    )
    for tool in READ_TOOLS:
        server.add_tool(
            _function(tool, platform, redactor, audit),
            name=tool.name,
            description=tool.description,
            structured_output=False,
        )
    return server

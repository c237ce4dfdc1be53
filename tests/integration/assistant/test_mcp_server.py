"""The MCP server offers the read tools only, and answers them from the database."""

from __future__ import annotations

import json

from tradestack.assistant.mcp_server import build_mcp_server
from tradestack.assistant.platform import StoredPlatform
from tradestack.assistant.reads import READ_TOOLS
from tradestack.assistant.writes import DANGER_LIST
from tradestack.storage.repositories.journal import count_events


async def test_mcp_lists_read_tools_only_and_answers_them(platform: StoredPlatform) -> None:
    server = build_mcp_server(platform)
    names = {tool.name for tool in await server.list_tools()}
    assert names == {tool.name for tool in READ_TOOLS}
    assert not names & DANGER_LIST
    result = await server.call_tool("positions", {"trader_id": "alpha"})
    positions = json.loads(result.content[0].text)  # type: ignore[union-attr]
    assert positions[0]["quantity"] == "0.25" and positions[0]["average_price"] == "61234.5"
    async with platform.db.read() as connection:
        assert await count_events(connection, "assistant.tool_call") == 1

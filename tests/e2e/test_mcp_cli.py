"""``tradestack mcp`` as a process, driven by the mcp package's own stdio client."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.conftest import cli_env, run_cli

pytestmark = pytest.mark.e2e


async def test_mcp_over_stdio_lists_read_tools_and_answers(home: Path, tmp_path: Path) -> None:
    env = cli_env(home)
    assert run_cli("trader", "add", "alpha", env=env, cwd=tmp_path).returncode == 0
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "tradestack.cli", "mcp"], env=env, cwd=str(tmp_path)
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        names = {tool.name for tool in (await session.list_tools()).tools}
        traders = await session.call_tool("list_traders", {})
    assert "list_traders" in names and "stop_trader" not in names
    assert '"trader_id": "alpha"' in traders.content[0].text  # type: ignore[union-attr]

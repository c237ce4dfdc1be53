"""``tradestack mcp``: the assistant's read-only tools for MCP clients, over stdio."""

from __future__ import annotations

from tradestack.assistant.platform import StoredPlatform
from tradestack.cli.database import run_with_database
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.storage.database import Database


def mcp(config: ConfigOption = None) -> None:
    """Serve read-only tools (status, traders, positions, orders, PnL, alerts...) on stdio."""
    from tradestack.assistant.mcp_server import build_mcp_server  # mcp loads slowly: only here

    settings = settings_from(config)

    async def serve(db: Database) -> None:
        await build_mcp_server(StoredPlatform(settings, db)).run_stdio_async()

    run_with_database(settings, serve)

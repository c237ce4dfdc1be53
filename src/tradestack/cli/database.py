"""Run one command's work against the migrated database, then release it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tradestack.config.settings import Settings
from tradestack.storage import migrations
from tradestack.storage.database import Database

T = TypeVar("T")


def run_with_database(settings: Settings, action: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database, migrate it to head, run ``action`` and close it."""

    async def run() -> T:
        db = Database(settings.database_url)
        try:
            await db.check()
            await migrations.upgrade(db.engine)
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(run())

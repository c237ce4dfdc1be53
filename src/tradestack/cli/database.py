"""What commands share: running work against the migrated database, reading time bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
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


def parse_bound(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """Read an ISO date or date-time (naive is UTC); an ``end`` date includes that whole day."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not an ISO date or time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed

"""Parsing shared by the ``tradestack data`` commands: timeframes, times, durations, the database.

A bad value becomes a ConfigError, which the CLI prints as one line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tradestack.domain.timeframes import Timeframe
from tradestack.errors import ConfigError
from tradestack.storage import migrations
from tradestack.storage.database import Database

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def timeframe(value: str) -> str:
    try:
        return Timeframe.parse(value).label
    except ValueError as error:
        raise ConfigError(str(error)) from None


def duration(value: str, option: str) -> timedelta:
    """Parse ``90d``, ``12h``, ``30m`` or ``2w``."""
    match = _DURATION.match(value.strip().lower())
    if not match:
        raise ConfigError(f"{option} {value!r}: expected a duration such as 90d, 12h, 30m or 2w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def moment(value: str | None, option: str) -> datetime | None:
    """Parse an ISO 8601 date or time (UTC when no offset), or ``90d`` meaning 90 days ago."""
    if value is None:
        return None
    if _DURATION.match(value.strip().lower()):
        return datetime.now(UTC) - duration(value, option)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: expected an ISO date such as 2024-01-31, a time such as "
            "2024-01-31T08:00:00Z, or an age such as 30d"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def checked(action: str, error: ValueError) -> ConfigError:
    """Turn a ValueError from parsing user input into a one-line ConfigError."""
    return ConfigError(f"{action}: {error}")


async def open_database(url: str) -> Database:
    """Connect, check and migrate the database every data command works on."""
    db = Database(url)
    await db.check()
    await migrations.upgrade(db.engine)
    return db

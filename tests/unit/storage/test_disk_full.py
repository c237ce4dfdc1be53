"""A full disk is recognised from every driver's way of saying so and becomes one clear error."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from tradestack.errors import StorageFullError
from tradestack.storage.engine import disk_full_errors, is_disk_full


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database or disk is full"),
        OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
)
def test_full_disk_errors_are_recognised(error: BaseException) -> None:
    assert is_disk_full(error)


def test_other_errors_are_not_a_full_disk() -> None:
    assert not is_disk_full(sqlite3.OperationalError("no such table: bars"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))


async def test_full_disk_becomes_one_line_storage_error() -> None:
    with pytest.raises(StorageFullError, match="no space left for the database") as caught:
        async with disk_full_errors("sqlite+aiosqlite:///x.db"):
            raise sqlite3.OperationalError("database or disk is full")
    assert "\n" not in str(caught.value)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        async with disk_full_errors("sqlite+aiosqlite:///x.db"):
            raise sqlite3.OperationalError("no such table: bars")

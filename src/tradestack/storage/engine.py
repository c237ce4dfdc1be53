"""The async engine factory for SQLite and PostgreSQL, and the translation of "cannot connect"."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tradestack.errors import DatabaseUnavailableError, StorageFullError

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def create_engine(url: str) -> AsyncEngine:
    """Create an engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    SQLite files get WAL journaling (readers never block the trader's writes)
    and their parent folder is created.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailableError(f"database URL {url!r} is not a valid URL") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseUnavailableError(
            f"database URL {parsed.render_as_string(hide_password=True)!r} uses "
            f"{parsed.drivername!r}; supported: {', '.join(SUPPORTED_DRIVERS)}"
        )
    try:
        if parsed.drivername.startswith("sqlite"):
            return _sqlite_engine(url, parsed.database)
        return create_async_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except NoSuchModuleError as error:
        raise DatabaseUnavailableError(f"database driver missing: {error}") from None


def _sqlite_engine(url: str, database: str | None) -> AsyncEngine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def describe_url(url: str) -> str:
    """Render a URL for messages, password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid url>"


# PostgreSQL SQLSTATEs that mean "this database cannot be opened with these settings".
_CONNECT_SQLSTATES = {
    "3D000": "invalid_catalog_name",  # the database does not exist
    "28P01": "invalid_password",
    "28000": "invalid_authorization_specification",
    "57P03": "cannot_connect_now",
}
_CONNECT_ERROR_NAMES = {"InvalidCatalogNameError", "InvalidPasswordError", "CannotConnectNowError"}


@contextlib.asynccontextmanager
async def translated_errors(url: str) -> AsyncIterator[None]:
    """Turn driver connection failures into DatabaseUnavailableError naming the database."""
    try:
        yield
    except (OSError, DBAPIError, TimeoutError) as error:
        if isinstance(error, DBAPIError) and not error.connection_invalidated:
            orig = error.orig
            if not _is_connection_failure(orig):
                raise
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0] or type(error).__name__
        if _sqlstate(getattr(error, "orig", None)) == "3D000":
            name = make_url(url).database
            raise DatabaseUnavailableError(
                f"cannot open the database {describe_url(url)}: {reason} "
                f"(create it first, e.g. createdb {name}, or fix TRADESTACK_DATABASE_URL)"
            ) from None
        raise DatabaseUnavailableError(
            f"cannot reach the database {describe_url(url)}: {reason}"
        ) from None


def _causes(error: BaseException | None) -> list[BaseException]:
    """``error`` and what it wraps: the asyncpg adapter hides the driver's error as the cause."""
    chain: list[BaseException] = []
    while error is not None and error not in chain and len(chain) < 5:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def _sqlstate(error: BaseException | None) -> str | None:
    for item in _causes(error):
        state = getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


@contextlib.asynccontextmanager
async def disk_full_errors(url: str) -> AsyncIterator[None]:
    """Turn "no space left" from any driver into StorageFullError: one line, never a traceback."""
    try:
        yield
    except Exception as error:  # also sqlite3 errors from a raw driver connection
        if not is_disk_full(error):
            raise
        raise StorageFullError(
            f"no space left for the database {describe_url(url)}: the write was undone; "
            "free some space, then run the command again"
        ) from None


def is_disk_full(error: BaseException) -> bool:
    """True for SQLITE_FULL, PostgreSQL's disk_full (53100) and ENOSPC, wrapped or not."""
    orig = getattr(error, "orig", None) or error
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return True
    if getattr(orig, "sqlstate", None) == "53100" or type(orig).__name__ == "DiskFullError":
        return True
    text_ = str(orig).lower()
    return "database or disk is full" in text_ or "no space left on device" in text_


def _is_connection_failure(error: BaseException | None) -> bool:
    if error is None:
        return False
    if isinstance(error, OSError | TimeoutError):
        return True
    if _sqlstate(error) in _CONNECT_SQLSTATES:
        return True
    text_ = str(error).lower()
    return (
        "unable to open database" in text_
        or "connect" in text_
        or any(type(item).__name__ in _CONNECT_ERROR_NAMES for item in _causes(error))
    )


async def check_connection(engine: AsyncEngine) -> None:
    """Open one connection and run ``SELECT 1``; raise DatabaseUnavailableError if it fails."""
    async with translated_errors(str(engine.url)), engine.connect() as connection:
        await connection.execute(text("SELECT 1"))

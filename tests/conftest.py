"""Shared fixtures: temporary homes, SQLite and real PostgreSQL databases."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tradestack.storage import migrations
from tradestack.storage.database import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "TRADESTACK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a server is down, or fail when CI says it must be there."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return
    except OSError as error:
        message = f"{name} at {host}:{port} is unreachable: {error}"
    if os.environ.get("TRADESTACK_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (TRADESTACK_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _clean_tradestack_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep a developer's own TRADESTACK_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith("TRADESTACK_") and name not in {
            "TRADESTACK_REQUIRE_SERVICES",
            "TRADESTACK_TEST_POSTGRES_URL",
        }:
            monkeypatch.delenv(name)
    yield


async def _create_postgres_database() -> str:
    import asyncpg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"tradestack_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_postgres_database(url: str) -> None:
    import asyncpg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database of the kind named by the test's ``backend`` parameter."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.fixture
async def database(empty_database_url: str) -> AsyncIterator[Database]:
    """A migrated database (SQLite unless parametrised with ``postgresql``)."""
    db = Database(empty_database_url)
    await migrations.upgrade(db.engine)
    try:
        yield db
    finally:
        await db.dispose()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.services),
]

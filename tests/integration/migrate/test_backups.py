"""Backups and restores on SQLite and the real PostgreSQL, through every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS
from tests.integration.migrate.conftest import state_of
from tradestack.errors import BackupCorruptError, BackupError
from tradestack.migrate.backup import create_backup
from tradestack.migrate.manifest import BackupStore
from tradestack.migrate.restore import restore_backup, verify_backup
from tradestack.storage import pg_tools
from tradestack.storage.database import Database
from tradestack.storage.repositories.backups import recorded_backups

backends = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)


async def _damage(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as connection:
            await connection.execute(text("DELETE FROM orders WHERE side = 'SELL'"))
            await connection.execute(text("UPDATE bars SET close = close + 1 WHERE id < 10"))
            await connection.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    finally:
        await db.dispose()


@backends
@pytest.mark.parametrize("portable", [False, True], ids=["native", "portable"])
async def test_backup_restores_every_row_exactly(
    filled_url: str, home: Path, portable: bool
) -> None:
    before = await state_of(filled_url)
    manifest = await create_backup(filled_url, home, portable=portable)
    expected = "portable" if portable else ("sqlite" if "sqlite" in filled_url else "pg_dump")
    assert manifest.format == expected
    assert manifest.schema_revision == before.revision
    assert {k: v.rows for k, v in manifest.tables.items() if k in before.tables} == {
        k: v.rows for k, v in before.tables.items()
    }
    assert (await verify_backup(home, manifest.backup_id)).ok

    await _damage(filled_url)
    assert await state_of(filled_url) != before
    safety = await restore_backup(filled_url, home, manifest.backup_id)

    assert await state_of(filled_url) == before
    assert safety is not None and safety.backup_id in BackupStore(home).ids()
    db = Database(filled_url)
    try:
        async with db.read() as connection:
            records = {r.backup_id: r for r in await recorded_backups(connection)}
        assert records[manifest.backup_id].restored_at is not None
    finally:
        await db.dispose()


@backends
async def test_portable_dump_is_used_when_pg_dump_is_missing(
    filled_url: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_tools, "available", lambda: False)
    manifest = await create_backup(filled_url, home)
    assert manifest.format == ("sqlite" if "sqlite" in filled_url else "portable")


@backends
async def test_corrupted_backup_is_refused_and_nothing_changes(filled_url: str, home: Path) -> None:
    manifest = await create_backup(filled_url, home)
    folder = BackupStore(home).path(manifest.backup_id)
    data = next(
        path for path in folder.rglob("*") if path.is_file() and path.name != "manifest.json"
    )
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    await _damage(filled_url)
    damaged = await state_of(filled_url)

    verification = await verify_backup(home, manifest.backup_id)
    assert not verification.ok and "sha256" in verification.problems[0]
    with pytest.raises(BackupCorruptError, match="fails verification"):
        await restore_backup(filled_url, home, manifest.backup_id)
    assert await state_of(filled_url) == damaged


@backends
async def test_restore_refuses_a_backup_of_the_other_engine(
    filled_url: str, home: Path, tmp_path: Path
) -> None:
    manifest = await create_backup(filled_url, home)
    other = (
        "postgresql+asyncpg://postgres@127.0.0.1:1/none"
        if "sqlite" in filled_url
        else f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    )
    with pytest.raises(BackupError):
        await restore_backup(other, home, manifest.backup_id, safety_backup=False)


@pytest.mark.parametrize("empty_database_url", BACKENDS[1:], indirect=True)
async def test_manifest_never_holds_the_database_password(filled_url: str, home: Path) -> None:
    with_password = filled_url.replace("postgres@", "postgres:s3cret-pw@")
    manifest = await create_backup(with_password, home)
    text_ = (BackupStore(home).path(manifest.backup_id) / "manifest.json").read_text()
    assert "s3cret-pw" not in text_ and "postgres:***@" in manifest.source_url

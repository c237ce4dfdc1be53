from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradestack.errors import BackupCorruptError, BackupError
from tradestack.migrate.manifest import MANIFEST_FILE, BackupStore, Manifest, TableEntry


def _manifest(backup_id: str = "20260101T000000Z-abcdef") -> Manifest:
    return Manifest(
        backup_id=backup_id,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        format="sqlite",
        dialect="sqlite",
        schema_revision="0002",
        tool_version="0.1.0",
        source_url="postgresql+asyncpg://u:***@h/db",
        reason="manual",
        seconds=0.5,
        tables={"bars": TableEntry(rows=3, digest="00ff")},
    )


def test_manifest_round_trips_and_detects_edits(tmp_path: Path) -> None:
    manifest = _manifest()
    assert Manifest.from_json(manifest.to_json(), source="x") == manifest
    edited = manifest.to_json().replace('"rows": 3', '"rows": 4')
    with pytest.raises(BackupCorruptError, match="checksum"):
        Manifest.from_json(edited, source="x")
    with pytest.raises(BackupCorruptError, match="unreadable"):
        Manifest.from_json("{not json", source="x")


def test_store_lists_only_published_backups(tmp_path: Path) -> None:
    store = BackupStore(tmp_path)
    staging = store.staging("20260101T000000Z-abcdef")
    partial = store.staging("20260102T000000Z-123456")
    assert store.ids() == []
    store.publish(staging, _manifest())
    assert store.ids() == ["20260101T000000Z-abcdef"]
    assert (store.path("20260101T000000Z-abcdef") / MANIFEST_FILE).exists()
    assert partial.exists() and store.latest() == _manifest()


def test_unknown_or_malformed_ids_are_refused(tmp_path: Path) -> None:
    store = BackupStore(tmp_path)
    with pytest.raises(BackupError, match="no backup nope"):
        store.load("nope")
    with pytest.raises(BackupError, match="not a backup id"):
        store.path("../etc")

"""Backup manifests and the folder that holds backups: ``$TRADESTACK_HOME/backups/<id>/``.

A manifest names what was backed up (schema revision, per-table row counts and
content digests, file checksums, tool version, time, the source URL with its
password hidden) and carries a checksum of itself, so a damaged or edited
manifest is caught like a damaged data file.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradestack.errors import BackupCorruptError, BackupError

MANIFEST_FILE = "manifest.json"
_PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True, slots=True)
class TableEntry:
    rows: int
    digest: str


@dataclass(frozen=True, slots=True)
class FileEntry:
    sha256: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one backup holds; ``format`` is ``sqlite``, ``pg_dump`` or ``portable``."""

    backup_id: str
    created_at: datetime
    format: str
    dialect: str
    schema_revision: str | None
    tool_version: str
    source_url: str
    reason: str
    seconds: float
    tables: dict[str, TableEntry] = field(default_factory=dict)
    files: dict[str, FileEntry] = field(default_factory=dict)
    # Bars missing inside each stored series ("BTC/USDT 1m"), for 'migrate check'.
    missing_bars: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables.values())

    @property
    def size_bytes(self) -> int:
        return sum(entry.size_bytes for entry in self.files.values())

    def to_json(self) -> str:
        body = _body(self)
        body["manifest_sha256"] = _checksum(body)
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str) -> Manifest:
        try:
            body = json.loads(text)
            stored = body.pop("manifest_sha256")
            if stored != _checksum(body):
                raise BackupCorruptError(f"{source}: manifest checksum does not match its contents")
            return cls(
                backup_id=body["backup_id"],
                created_at=datetime.fromisoformat(body["created_at"]),
                format=body["format"],
                dialect=body["dialect"],
                schema_revision=body["schema_revision"],
                tool_version=body["tool_version"],
                source_url=body["source_url"],
                reason=body["reason"],
                seconds=float(body["seconds"]),
                tables={name: TableEntry(**entry) for name, entry in body["tables"].items()},
                files={name: FileEntry(**entry) for name, entry in body["files"].items()},
                missing_bars={k: int(v) for k, v in body.get("missing_bars", {}).items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupCorruptError(f"{source}: manifest is unreadable ({error})") from None


def _body(manifest: Manifest) -> dict[str, Any]:
    body = asdict(manifest)
    body["created_at"] = manifest.created_at.isoformat()
    return body


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def file_entry(path: Path) -> FileEntry:
    with path.open("rb") as source:
        digest = hashlib.file_digest(source, "sha256").hexdigest()
    return FileEntry(sha256=digest, size_bytes=path.stat().st_size)


class BackupStore:
    """The backups folder. A backup is written under ``.<id>.partial`` and renamed when whole,
    so an interrupted backup never shows up as one."""

    def __init__(self, home: Path) -> None:
        self.root = home / "backups"

    def new_id(self) -> str:
        return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"

    def staging(self, backup_id: str) -> Path:
        path = self.root / f".{backup_id}{_PARTIAL_SUFFIX}"
        path.mkdir(parents=True, exist_ok=False)
        return path

    def publish(self, staging: Path, manifest: Manifest) -> Path:
        (staging / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
        final = self.path(manifest.backup_id)
        staging.rename(final)
        return final

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def path(self, backup_id: str) -> Path:
        if not backup_id or "/" in backup_id or backup_id.startswith("."):
            raise BackupError(f"{backup_id!r} is not a backup id")
        return self.root / backup_id

    def load(self, backup_id: str) -> Manifest:
        """Read a backup's manifest; BackupError when it does not exist."""
        manifest = self.path(backup_id) / MANIFEST_FILE
        if not manifest.exists():
            raise BackupError(f"no backup {backup_id} in {self.root} (see 'tradestack db backups')")
        return Manifest.from_json(manifest.read_text(encoding="utf-8"), source=backup_id)

    def ids(self) -> list[str]:
        """Return the ids of complete backups, oldest first."""
        if not self.root.exists():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if entry.is_dir() and not entry.name.startswith(".")
        )

    def latest(self, *, source_url: str | None = None) -> Manifest | None:
        """Return the newest readable backup (of the database ``source_url``, if given)."""
        for backup_id in reversed(self.ids()):
            try:
                manifest = self.load(backup_id)
            except BackupError:
                continue
            if source_url is None or manifest.source_url == source_url:
                return manifest
        return None

"""Scenario 4: a damaged backup is refused by ``db verify`` and ``db restore``; a restore drill.

The drill backs up a database with bars, traders and tokens, changes it, restores
the backup, and compares every table's row count and content digest with the
state at backup time, computed here independently of the product's own check.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import cli_env, one_line_error, run_cli, sqlite_rows


def table_digests(db: Path) -> dict[str, tuple[int, str]]:
    """Return each table's row count and a SHA-256 over its rows in a fixed order."""
    tables = [
        str(row[0])
        for row in sqlite_rows(
            db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    result: dict[str, tuple[int, str]] = {}
    for table in sorted(tables):
        rows = sqlite_rows(db, f'SELECT * FROM "{table}"')
        encoded = sorted(json.dumps(row, default=str) for row in rows)
        digest = hashlib.sha256("\n".join(encoded).encode()).hexdigest()
        result[table] = (len(rows), digest)
    return result


def _backup(env: dict[str, str], cwd: Path, *extra: str) -> str:
    done = run_cli("db", "backup", *extra, env=env, cwd=cwd)
    if done.returncode != 0:
        raise AssertionError(f"db backup failed: {done.stderr or done.stdout}")
    return done.stdout.split("backup ", 1)[1].split()[0]


def _damage(backup_dir: Path, how: str) -> None:
    if how == "manifest":
        manifest = backup_dir / "manifest.json"
        manifest.write_text(manifest.read_text().replace('"rows": ', '"rows": 1', 1))
        return
    files = sorted(
        (p for p in backup_dir.rglob("*") if p.is_file() and p.name != "manifest.json"),
        key=lambda p: p.stat().st_size,
    )
    target = files[-1]
    data = bytearray(target.read_bytes())
    if how == "flip":
        middle = len(data) // 2
        data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    else:  # truncate
        del data[len(data) // 2 :]
    target.write_bytes(bytes(data))


def run(workdir: Path, *, bars: int = 3_000) -> Outcome:
    outcome = Outcome(
        scenario="4 damaged backup, restore drill",
        injected="flipped bytes, truncated file, edited manifest (native + portable)",
        must_hold="verify and restore refuse, database unchanged; drill counts+digests equal",
    )
    home = workdir / "home"
    env = cli_env(home)
    db = home / "tradestack.db"
    for args in (
        ("data", "backfill", "--bars", str(bars)),
        ("data", "backfill", "--symbol", "ETH/USDT", "--bars", str(bars // 2)),
        ("trader", "add", "eth", "--symbol", "ETH/USDT", "--stopped"),
        ("token", "create", "--name", "ops", "--role", "admin"),
    ):
        done = run_cli(*args, env=env, cwd=workdir)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {done.stderr}")
    refused = 0
    attempts = 0
    for how in ("flip", "truncate", "manifest"):
        for extra in ((), ("--portable",)):
            backup_id = _backup(env, workdir, *extra)
            _damage(home / "backups" / backup_id, how)
            before = table_digests(db)
            for command in (("db", "verify", backup_id), ("db", "restore", backup_id, "--yes")):
                attempts += 1
                done = run_cli(*command, env=env, cwd=workdir)
                label = f"{command[1]} of a {how} {'portable' if extra else 'native'} backup"
                clean = done.returncode != 0 and one_line_error(done.stderr)
                outcome.expect(clean, f"{label}: exit {done.returncode}, {done.stderr!r}")
                outcome.expect(table_digests(db) == before, f"{label} changed the database")
                refused += int(clean)
    outcome.counts["damaged refused"] = f"{refused}/{attempts}"

    drills = 0
    for extra in ((), ("--portable",)):
        expected = table_digests(db)
        backup_id = _backup(env, workdir, *extra)
        run_cli("data", "backfill", "--bars", str(bars + 500), env=env, cwd=workdir)
        run_cli("token", "revoke", "ops", env=env, cwd=workdir)
        started = time.monotonic()
        done = run_cli(
            "db", "restore", backup_id, "--yes", "--no-safety-backup", env=env, cwd=workdir
        )
        outcome.recovery_s.append(time.monotonic() - started)
        outcome.expect(done.returncode == 0, f"restore drill failed: {done.stderr}")
        restored = table_digests(db)
        differing = _differences(expected, restored)
        outcome.expect(not differing, f"tables differ after the restore: {differing}")
        drills += int(not differing and done.returncode == 0)
    outcome.counts["drills equal"] = f"{drills}/2"
    outcome.counts["tables"] = len(expected)
    outcome.counts["rows"] = sum(count for count, _ in expected.values())
    return outcome


def _differences(
    expected: dict[str, tuple[int, str]], restored: dict[str, tuple[int, str]]
) -> list[str]:
    # schema_backups records the backups themselves, and so changes by taking one.
    skip = {"schema_backups"}
    return sorted(
        name
        for name in set(expected) | set(restored)
        if name not in skip and expected.get(name) != restored.get(name)
    )

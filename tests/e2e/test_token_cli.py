"""``tradestack token``: the secret is printed once, stored hashed, listed without it, revoked."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_create_list_revoke(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    created = run_cli(
        "token", "create", "--role", "trader", "--name", "alice", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("ts_") and len(secret) > 40
    assert "not shown again" in created.stderr and "trader" in created.stderr

    with sqlite3.connect(home / "tradestack.db") as connection:
        stored = connection.execute("SELECT name, role, token_hash FROM api_tokens").fetchall()
    assert stored == [("alice", "trader", hashlib.sha256(secret.encode()).hexdigest())]

    listed = run_cli("token", "list", env=env, cwd=tmp_path)
    assert "alice" in listed.stdout and "trader" in listed.stdout and secret not in listed.stdout

    assert run_cli("token", "revoke", "alice", env=env, cwd=tmp_path).returncode == 0
    again = run_cli("token", "revoke", "alice", env=env, cwd=tmp_path)
    assert again.returncode != 0 and "no active token" in again.stderr

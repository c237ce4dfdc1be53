"""The strategy commands as a user runs them: new, check, list, migrate, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli

pytestmark = pytest.mark.e2e

V1 = """
from tradestack.domain.enums import SignalSide
from tradestack.strategy.base import Strategy


class Always(Strategy):
    name = "always"

    def on_bar(self, bar, context):
        return (self.signal(bar, SignalSide.BUY, context),)
"""


def test_new_check_list_and_migrate(home: Path, tmp_path: Path) -> None:
    env = cli_env(home)
    made = run_cli("strategy", "new", "dip_buyer", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (home / "strategies" / "dip_buyer.py").exists()
    assert (home / "strategies" / "tests" / "test_dip_buyer.py").exists()
    checked = run_cli("strategy", "check", "dip_buyer", env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok   lookahead" in checked.stdout
    (home / "strategies" / "broken.py").write_text("x = (\n")
    listed = run_cli("strategy", "list", "--json", env=env, cwd=tmp_path)
    assert listed.returncode == 0
    names = {s["name"]: s for s in json.loads(listed.stdout)}
    assert (
        names["dip_buyer"]["interface_version"] == 2 and names["sma_cross"]["source"] == "builtin"
    )
    assert "broken.py:1" in listed.stderr and "Traceback" not in listed.stderr

    v1 = tmp_path / "always.py"
    v1.write_text(V1)
    migrated = run_cli("strategy", "migrate", str(v1), "--to", "2", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "StrategyV2" in v1.read_text() and (tmp_path / "always.py.v1.bak").exists()
    again = run_cli("strategy", "migrate", str(v1), "--to", "2", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "already interface version 2" in again.stderr


def test_unknown_strategy_and_duplicate_names_are_one_line(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "more"
    other.mkdir()
    (other / "a.py").write_text(V1)
    (home / "strategies").mkdir(parents=True)
    (home / "strategies" / "b.py").write_text(V1)
    env = cli_env(home)
    dup = run_cli(
        "strategy", "check", "always", "--strategy-path", str(other), env=env, cwd=tmp_path
    )
    assert dup.returncode != 0
    assert "defined twice" in dup.stderr and "a.py" in dup.stderr and "b.py" in dup.stderr
    assert len(dup.stderr.strip().splitlines()) == 1
    missing = run_cli("strategy", "check", "nope", env=env, cwd=tmp_path)
    assert missing.returncode != 0 and "unknown strategy 'nope'" in missing.stderr

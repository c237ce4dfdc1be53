"""``tradestack migrate llm`` as a process: refuses a bad endpoint, switches, rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import cli_env, run_cli
from tests.support.openai_stub import OpenAIStub, openai_stub

__all__ = ["openai_stub"]
pytestmark = pytest.mark.e2e


def test_migrate_llm_probes_switches_and_rolls_back(
    openai_stub: OpenAIStub, home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"config_version": 2, "llm": {"model": "gpt-4o-mini"}}))
    env = cli_env(home, TRADESTACK_CONFIG=str(config))

    refused = run_cli("migrate", "llm", "--to", openai_stub.base_url, "--model", "absent",
                      env=env, cwd=tmp_path)  # fmt: skip
    assert refused.returncode != 0
    assert "not switched" in refused.stderr and "Traceback" not in refused.stderr
    assert yaml.safe_load(config.read_text())["llm"] == {"model": "gpt-4o-mini"}

    done = run_cli("migrate", "llm", "--to", openai_stub.base_url, "--model", "stub-model",
                   env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "probe" in done.stdout and "switched" in done.stdout
    section = yaml.safe_load(config.read_text())["llm"]
    assert section["base_url"] == openai_stub.base_url and section["model"] == "stub-model"

    back = run_cli("migrate", "llm", "--rollback", env=env, cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert yaml.safe_load(config.read_text())["llm"] == {"model": "gpt-4o-mini"}

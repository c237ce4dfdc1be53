"""``tradestack ask`` and ``tradestack assistant confirm`` as processes, against an HTTP model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import cli_env, run_cli
from tests.support.openai_stub import OpenAIStub, completion, openai_stub

__all__ = ["openai_stub"]
pytestmark = pytest.mark.e2e
ADMIN_TOKEN = "bootstrap-admin-token-for-the-cli-test"


def _model(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if any(m["role"] == "tool" for m in body["messages"]):
        return 200, completion("I proposed stopping alpha.")
    stop = {
        "id": "c1",
        "type": "function",
        "function": {"name": "stop_trader", "arguments": '{"trader_id": "alpha"}'},
    }
    return 200, completion(None, [stop])


def test_ask_proposes_and_confirm_with_a_token_stops_the_trader(
    openai_stub: OpenAIStub, home: Path, tmp_path: Path
) -> None:
    openai_stub.chat = _model
    env = cli_env(
        home,
        TRADESTACK_LLM__ENABLED="true",
        TRADESTACK_LLM__BASE_URL=openai_stub.base_url,
        TRADESTACK_LLM__MODEL="stub-model",
        TRADESTACK_API_TOKEN=ADMIN_TOKEN,
    )
    assert run_cli("trader", "add", "alpha", env=env, cwd=tmp_path).returncode == 0
    asked = run_cli("ask", "please stop alpha", env=env, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "I proposed stopping alpha." in asked.stdout
    found = re.search(r"tradestack assistant confirm (\w+)", asked.stdout)
    assert found is not None
    wrong = run_cli(
        "assistant", "confirm", found.group(1), "--token", "nope", env=env, cwd=tmp_path
    )
    assert wrong.returncode != 0 and "unknown or revoked token" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    done = run_cli(
        "assistant", "confirm", found.group(1), "--token", ADMIN_TOKEN, env=env, cwd=tmp_path
    )
    assert done.returncode == 0 and "executed" in done.stdout, done.stderr
    listed = run_cli("trader", "list", env=env, cwd=tmp_path)
    assert re.search(r"alpha.*stopped", listed.stdout), listed.stdout

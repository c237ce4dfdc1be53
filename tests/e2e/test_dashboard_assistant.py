"""The dashboard's chat panel in a real browser: ask, see the proposal, confirm it as admin."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import TRADESTACK, cli_env, free_port
from tests.e2e.test_dashboard import CHROMIUM_ARGS, _browser_or_skip
from tests.e2e.test_run import stop, wait_for
from tests.support.openai_stub import OpenAIStub, completion, openai_stub

__all__ = ["openai_stub"]
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ADMIN = "dashboard-admin-token-for-the-assistant"


def _model(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if any(m["role"] == "tool" for m in body["messages"]):
        return 200, completion("I proposed stopping default.")
    stop_call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "stop_trader", "arguments": '{"trader_id": "default"}'},
    }
    return 200, completion(None, [stop_call])


@pytest.fixture
def server(openai_stub: OpenAIStub, home: Path, tmp_path: Path) -> Iterator[str]:
    openai_stub.chat = _model
    port = free_port()
    env = cli_env(
        home,
        TRADESTACK_API_PORT=str(port),
        TRADESTACK_RUN__HISTORY_BARS="100",
        TRADESTACK_API_TOKEN=ADMIN,
        TRADESTACK_LLM__ENABLED="true",
        TRADESTACK_LLM__BASE_URL=openai_stub.base_url,
        TRADESTACK_LLM__MODEL="stub-model",
    )
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [*TRADESTACK, "run"],
        env=env,
        cwd=home.parent,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/api/v1/health").json(), 60, "health")
        yield base
    finally:
        assert stop(process) == 0, log.read_text()


def test_chat_panel_asks_and_confirms_a_proposal(server: str) -> None:
    sync_playwright, executable = _browser_or_skip()
    with sync_playwright() as playwright:  # type: ignore[operator]
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.add_init_script(f"sessionStorage.setItem('tradestack.token', '{ADMIN}')")
            page.goto(server + "/")
            page.fill("#assistant-input", "please stop default")
            page.click("#assistant-form button[type=submit]")
            page.wait_for_selector(".assistant-line.assistant", timeout=30_000)
            assert "I proposed stopping default." in page.inner_text("#assistant-log")
            page.wait_for_selector(".assistant-proposal", timeout=10_000)
            assert "stop_trader" in page.inner_text("#assistant-pending")
            page.click(".assistant-proposal button[data-answer=confirm]")
            page.wait_for_function("!document.querySelector('.assistant-proposal')", timeout=10_000)
            assert errors == []
        finally:
            browser.close()
    headers = {"Authorization": f"Bearer {ADMIN}"}
    trader = httpx.get(f"{server}/api/v1/traders/default", headers=headers).json()
    assert trader["status"] == "stopped"

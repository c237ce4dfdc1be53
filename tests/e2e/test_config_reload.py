"""A running ``tradestack run`` takes reloadable settings on SIGHUP and refuses a bad file."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import TRADESTACK, cli_env, free_port
from tests.e2e.test_run import stop, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_sighup_reloads_valid_settings_and_keeps_them_on_a_bad_file(tmp_path: Path) -> None:
    config = tmp_path / "tradestack.yaml"
    config.write_text("config_version: 2\nrisk:\n  max_position_size_usd: 1000\n")
    port = free_port()
    log = tmp_path / "run.log"
    env = cli_env(
        tmp_path / "home",
        TRADESTACK_CONFIG=str(config),
        TRADESTACK_API_PORT=str(port),
        TRADESTACK_RUN__HISTORY_BARS="100",
    )
    process = subprocess.Popen(
        [*TRADESTACK, "run"], env=env, cwd=tmp_path, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        health = f"http://127.0.0.1:{port}/api/v1/health"
        wait_for(lambda: httpx.get(health).status_code == 200, 60, "the API")

        config.write_text("config_version: 2\nrisk:\n  max_position_size_usd: 2500\n")
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "reloaded: risk.max_position_size_usd" in log.read_text(), 10, "reload")

        config.write_text("config_version: 2\nrisk:\n  max_position_size_usd: -1\n")
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in log.read_text(), 10, "refusal")
        assert httpx.get(health).status_code == 200
    finally:
        assert stop(process) == 0

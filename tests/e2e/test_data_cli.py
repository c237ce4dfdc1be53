"""``tradestack data download`` as a process against a local Binance-format server, with keys."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import TRADESTACK, cli_env
from tests.fakes.binance import FakeBinance

pytestmark = pytest.mark.e2e


async def test_ccxt_download_with_a_key_pool_never_prints_a_key(tmp_path: Path, home: Path) -> None:
    minute = int(time.time()) // 60 * 60
    fake = await FakeBinance(
        listed_s=minute - 90 * 60, rate_limited_requests=1, retry_after_s=0.2
    ).start()
    env = cli_env(
        home,
        TRADESTACK_DATA__PROVIDER="ccxt",
        TRADESTACK_DATA__EXCHANGE_API_URL=fake.url,
        TRADESTACK_DATA__EXCHANGE_OPTIONS='{"fetchMarkets": {"types": ["spot"]}}',
        API_KEY_G1_1="first-SECRET-key",
        API_KEY_G1_2="second-SECRET-key",
    )
    try:
        process = await asyncio.create_subprocess_exec(
            *TRADESTACK,
            "data",
            "download",
            "-s",
            "BTC/USDT",
            "--start",
            "2h",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await fake.stop()
    stdout, stderr = out.decode(), err.decode()
    assert process.returncode == 0, stderr
    # 90 closed bars since the listing, or 91 when a minute boundary passed during the run.
    assert re.search(r"downloaded from ccxt:binance (90|91) bars", stdout), stdout
    assert "API key usage" in stdout
    assert "g1#1" in stdout and "rests" in stderr
    assert "SECRET" not in stdout + stderr

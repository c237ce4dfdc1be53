"""The market-data API on both engines: candles with indicators, ranges, latest, status, archive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
import talib

from tests.conftest import BACKENDS
from tradestack.api.app import build_api
from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel
from tradestack.marketdata.archive import archive_older_than
from tradestack.marketdata.pipeline import backfill
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.storage.repositories.bar_frames import read_frame

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
START = datetime(2024, 1, 1, tzinfo=UTC)
END = START + timedelta(minutes=600)


@pytest.fixture
async def kernel(empty_database_url: str, tmp_path: Path) -> AsyncIterator[Kernel]:
    settings = load_settings(
        home=tmp_path, database_url=empty_database_url, run={"history_bars": 10}
    )
    kernel = Kernel.build(settings)
    await kernel.prepare()
    await backfill(
        kernel.db, SyntheticProvider(), symbol="ETH/USDT", timeframe="1m", start=START, end=END
    )
    yield kernel
    await kernel.db.dispose()


@pytest.fixture
async def client(kernel: Kernel) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api(kernel))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_indicators_on_read_match_the_library_over_the_whole_series(
    client: httpx.AsyncClient, kernel: Kernel
) -> None:
    response = await client.get(
        "/api/v1/candlesticks/ETH-USDT",
        params={"limit": 50, "indicators": "ema_20,rsi_14,macd_12_26_9,bbands_20_2,atr_14,vwap"},
    )
    assert response.status_code == 200, response.text
    candles = response.json()["candles"]
    async with kernel.db.read() as connection:
        everything = await read_frame(connection, "ETH/USDT", "1m")
    assert len(candles) == 50 and candles[-1]["close"] == everything.close[-1]
    rsi = talib.RSI(everything.close, 14)[-50:]
    assert [c["indicators"]["rsi_14"] for c in candles] == pytest.approx(rsi.tolist(), abs=1e-3)
    ema = talib.EMA(everything.close, 20)[-50:]
    assert [c["indicators"]["ema_20"] for c in candles] == pytest.approx(ema.tolist(), rel=1e-7)
    assert set(candles[0]["indicators"]) == {
        "ema_20", "rsi_14", "macd_12_26_9", "macd_12_26_9_signal", "macd_12_26_9_hist",
        "bbands_20_2_upper", "bbands_20_2_middle", "bbands_20_2_lower", "atr_14", "vwap",
    }  # fmt: skip


async def test_start_end_and_limit_select_a_range(client: httpx.AsyncClient) -> None:
    params = {"start": "2024-01-01T01:00:00Z", "end": "2024-01-01T02:00:00Z", "limit": 1000}
    candles = (await client.get("/api/v1/candlesticks/ETH-USDT", params=params)).json()["candles"]
    assert len(candles) == 60
    assert candles[0]["ts"].startswith("2024-01-01T01:00:00")
    assert candles[-1]["ts"].startswith("2024-01-01T01:59:00")
    params = {"start": "2024-01-01T00:00:00", "limit": 5, "indicators": "sma_3"}
    first = (await client.get("/api/v1/candlesticks/ETH-USDT", params=params)).json()["candles"]
    assert [c["indicators"]["sma_3"] is None for c in first] == [True, True, False, False, False]


async def test_bad_indicator_and_range_are_one_json_error(client: httpx.AsyncClient) -> None:
    bad = await client.get("/api/v1/candlesticks/ETH-USDT", params={"indicators": "ema_20,zz_1"})
    assert bad.status_code == 422 and "unknown indicator 'zz_1'" in bad.json()["error"]["message"]
    params = {"start": "2024-01-02T00:00:00Z", "end": "2024-01-01T00:00:00Z"}
    backwards = await client.get("/api/v1/candlesticks/ETH-USDT", params=params)
    assert backwards.status_code == 422 and "start must be before end" in backwards.text


async def test_latest_bar_and_missing_series(client: httpx.AsyncClient) -> None:
    latest = (await client.get("/api/v1/latest/ETH-USDT")).json()
    assert latest["symbol"] == "ETH/USDT" and latest["ts"].startswith("2024-01-01T09:59:00")
    missing = await client.get("/api/v1/latest/DOGE-USDT", params={"timeframe": "1h"})
    assert missing.status_code == 404 and "no 1h bars stored for DOGE/USDT" in missing.text


async def test_data_status_lists_series_with_gaps_and_ingest(
    client: httpx.AsyncClient, kernel: Kernel
) -> None:
    status = {s["symbol"]: s for s in (await client.get("/api/v1/data/status")).json()}
    eth = status["ETH/USDT"]
    assert eth["rows"] == 600 and eth["gaps"] == 0 and eth["missing_bars"] == 0
    assert eth["sources"] == ["synthetic"] and eth["complete"] and eth["calendar"] == "24/7"
    assert eth["first"].startswith("2024-01-01T00:00:00") and eth["last_ingest_at"]


async def test_archived_ranges_are_served_from_parquet(
    client: httpx.AsyncClient, kernel: Kernel
) -> None:
    root = kernel.settings.home / "archive"
    report = await archive_older_than(
        kernel.db, root, START + timedelta(minutes=300), symbol="ETH/USDT"
    )
    assert report.rows == 300
    params = {"start": "2024-01-01T04:00:00Z", "limit": 120, "indicators": "ema_5"}
    body = (await client.get("/api/v1/candlesticks/ETH-USDT", params=params)).json()
    assert len(body["candles"]) == 120 and body["archived"] == 60
    closes = np.array([c["close"] for c in body["candles"]])
    assert np.all(np.isfinite(closes))
    assert body["candles"][0]["indicators"]["ema_5"] is not None  # warmed up from the archive
    status = {s["symbol"]: s for s in (await client.get("/api/v1/data/status")).json()}
    assert status["ETH/USDT"]["archived_rows"] == 300 and status["ETH/USDT"]["rows"] == 300

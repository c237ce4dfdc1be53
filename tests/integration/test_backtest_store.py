"""Backtest runs are stored on SQLite and PostgreSQL and served by /api/v1/backtests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal as D
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS
from tests.unit.backtest.conftest import continuous
from tradestack.api.app import build_api
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.metrics import compute
from tradestack.backtest.store import find_run, find_runs, save_run
from tradestack.config.loader import load_settings
from tradestack.errors import NotFoundError
from tradestack.kernel import Kernel
from tradestack.storage.database import Database

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8, 9, 11, 12]


def a_run():  # type: ignore[no-untyped-def]
    config = BacktestConfig("sma_cross", {"fast": 2, "slow": 3}, cash=D(1000))
    result = run_event(continuous(CLOSES), config)
    return result, compute(result)


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_a_stored_run_reads_back_exactly(database: Database) -> None:
    result, metrics = a_run()
    first = await save_run(database, result, metrics)
    second = await save_run(database, result, metrics)
    assert second > first
    listed = await find_runs(database, strategy="sma_cross")
    assert [r.id for r in listed] == [second, first] and listed[0].trade_list == []
    stored = await find_run(database, first)
    assert stored.final_equity == result.final_equity
    assert stored.trades == len(result.trades) == len(stored.trade_list) == 2
    assert D(stored.trade_list[0]["pnl"]) == result.trades[0].pnl
    assert stored.params == {"fast": 2, "slow": 3}
    assert stored.metrics["trades"] == 2 and stored.equity[-1][1] == float(result.final_equity)
    with pytest.raises(NotFoundError):
        await find_run(database, 10_000)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    kernel = Kernel.build(load_settings(home=tmp_path, run={"history_bars": 0}))
    await kernel.prepare()
    result, metrics = a_run()
    await save_run(kernel.db, result, metrics)
    transport = httpx.ASGITransport(app=build_api(kernel))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await kernel.db.dispose()


async def test_api_lists_and_serves_stored_runs(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/v1/backtests", params={"limit": 5})).json()
    assert page["limit"] == 5 and len(page["items"]) == 1
    summary = page["items"][0]
    assert summary["strategy"] == "sma_cross" and summary["trades"] == 2
    assert "trade_list" not in summary
    detail = (await client.get(f"/api/v1/backtests/{summary['id']}")).json()
    assert len(detail["trade_list"]) == 2 and detail["equity"]
    missing = await client.get("/api/v1/backtests/999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"/api/v1/backtests", "/api/v1/backtests/{backtest_id}"} <= set(paths)

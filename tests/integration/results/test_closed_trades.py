"""After a run, the closed trades and every figure a trader reads add up, in the API and the CLI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tradestack.analytics.performance import trader_performance
from tradestack.api.app import build_api
from tradestack.cli.main import app as cli
from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel
from tradestack.storage.repositories.analytics import fills_between

RUN = {
    "history_bars": 60,
    "replay": "fast",
    "replay_interval_s": 0.005,
    "strategy_params": {"fast": 2, "slow": 5},
}


@dataclass
class Ran:
    kernel: Kernel
    http: httpx.AsyncClient
    summary: dict[str, object]


@pytest.fixture
async def ran(tmp_path: Path) -> AsyncIterator[Ran]:
    kernel = Kernel.build(load_settings(home=tmp_path, run=RUN))
    await kernel.prepare()
    await kernel.start()
    transport = httpx.ASGITransport(app=build_api(kernel), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for _ in range(300):  # until a few round trips closed
            await asyncio.sleep(0.05)
            page = (await http.get("/api/v1/trades/closed")).json()
            if page["total"] >= 3:
                break
        await kernel.feed.stop()  # no more bars: the figures below stay still
        await asyncio.sleep(0.2)
        summary = (await kernel.traders.summaries())["default"]
        yield Ran(kernel, http, summary)
    await kernel.stop()


async def test_equity_change_is_net_realised_plus_unrealised_minus_fees(ran: Ran) -> None:
    s = ran.summary
    change = Decimal(s["equity"]) - Decimal(10_000)  # type: ignore[arg-type]
    realized, unrealized = Decimal(s["realized_pnl"]), Decimal(s["unrealized_pnl"])  # type: ignore[arg-type]
    fees = Decimal(s["fees_paid"])  # type: ignore[arg-type]
    assert fees > 0
    assert change == realized + unrealized - fees == Decimal(s["net_pnl"])  # type: ignore[arg-type]
    listed = (await ran.http.get("/api/v1/traders/default")).json()["runtime"]
    assert Decimal(listed["net_pnl"]) == change  # the trader card's pnl includes the fees


async def test_closed_trades_api_is_net_of_fees_filtered_and_paginated(ran: Ran) -> None:
    page = (await ran.http.get("/api/v1/trades/closed", params={"limit": 2})).json()
    assert page["total"] >= 3 and len(page["items"]) == 2
    for trade in page["items"]:
        net, gross, fees = (Decimal(trade[k]) for k in ("net_pnl", "gross_pnl", "fees"))
        assert fees > 0 and net == gross - fees
        assert trade["duration_s"] >= 0 and trade["exit_reason"] == "signal"
        assert trade["display"]["net_pnl"].replace(",", "").lstrip("+") == f"{net:.2f}"
    exits = [t["exit_time"] for t in page["items"]]
    assert exits == sorted(exits, reverse=True)  # newest first
    second = (await ran.http.get("/api/v1/trades/closed", params={"limit": 2, "offset": 2})).json()
    assert second["items"][0]["exit_time"] <= exits[-1]
    other = await ran.http.get("/api/v1/trades/closed", params={"symbol": "ETH-USDT"})
    assert other.json()["total"] == 0
    later = await ran.http.get("/api/v1/trades/closed", params={"since": exits[0]})
    assert 1 <= later.json()["total"] < page["total"]
    nobody = await ran.http.get("/api/v1/trades/closed", params={"trader_id": "nobody"})
    assert nobody.json()["total"] == 0


async def test_analytics_counts_the_trades_and_no_bar_is_in_the_future(ran: Ran) -> None:
    now = datetime.now(UTC)
    async with ran.kernel.db.read() as connection:
        fills = await fills_between(connection, None, None)
    assert fills and max(f.ts for f in fills) <= now
    perf = await trader_performance(ran.kernel.db, "default")
    total = (await ran.http.get("/api/v1/trades/closed")).json()["total"]
    assert perf.trades == total > 0  # was 0: the fast replay dated bars days ahead


async def test_breakdowns_and_profit_series_add_up_to_the_trades(ran: Ran) -> None:
    trades = (await ran.http.get("/api/v1/trades/closed", params={"limit": 1000})).json()
    net = sum(Decimal(t["net_pnl"]) for t in trades["items"])
    for by in ("symbol", "strategy", "trader"):
        groups = (await ran.http.get("/api/v1/analytics/breakdown", params={"by": by})).json()
        assert sum(g["trades"] for g in groups) == trades["total"]
        assert sum(Decimal(g["net_pnl"]) for g in groups) == net
    for period in ("day", "week", "month"):
        series = (await ran.http.get("/api/v1/analytics/profit", params={"period": period})).json()
        assert sum(Decimal(p["net_pnl"]) for p in series) == net


async def test_a_stopped_trader_shows_its_last_equity_not_zero(ran: Ran) -> None:
    await ran.kernel.traders.stop_trader("default")
    trader = (await ran.http.get("/api/v1/traders/default")).json()
    assert trader["runtime"] is None
    assert Decimal(trader["stored"]["equity"]) > 1000


async def test_cli_trades_lists_the_same_trades(
    ran: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path))
    api_total = (await ran.http.get("/api/v1/trades/closed")).json()["total"]

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, ["trades", *args])
        assert result.exit_code == 0, result.output
        return result.output

    body = json.loads(await asyncio.to_thread(invoke, "--json", "--limit", "1000"))
    assert body["total"] == api_total == len(body["items"])
    table = await asyncio.to_thread(invoke)
    first = body["items"][0]
    assert first["exit_reason"] in table and "net PnL" in table
    assert "…" not in table  # never cut when stdout is not a terminal
    by_symbol = json.loads(await asyncio.to_thread(invoke, "--by", "symbol", "--json"))
    assert by_symbol[0]["key"] == "BTC/USDT" and by_symbol[0]["trades"] == api_total

"""trader reload: a paper trader re-reads its strategy file at a bar boundary, positions kept."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.strategy import registry
from tradestack.traders import admin
from tradestack.traders.spec import TraderSpec

pytestmark = pytest.mark.slow
START = datetime(2027, 1, 1, tzinfo=UTC)

VERSION = """
from tradestack.domain.enums import SignalSide
from tradestack.strategy.base import Strategy


class Holder(Strategy):
    name = "holder"
    VERSION = "{version}"

    def on_bar(self, bar, context):
        if self.VERSION == "A" and context.position_quantity(bar.symbol) == 0:
            return (self.signal(bar, SignalSide.BUY, context),)
        return ()
"""


@pytest.fixture
async def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Kernel]:
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})
    strategies = tmp_path / "home" / "strategies"
    strategies.mkdir(parents=True)
    (strategies / "holder.py").write_text(VERSION.format(version="A"))
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path / "home"))
    settings = load_settings(home=tmp_path / "home", run={"history_bars": 30})
    k = Kernel.build(settings)
    await k.prepare()
    await k.start()
    await k.feed.stop()
    yield k
    if not k.stopped:
        await k.stop()


async def drive(kernel: Kernel, start: datetime, count: int) -> None:
    for bar in SyntheticMarket(seed=5).bars("BTC/USDT", "1m", start, count):
        await kernel.bus.publish(bar_event(bar))
    await kernel.bus.close()
    await kernel.bus.start()


def rewrite(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a new version even on a coarse clock


async def test_reload_swaps_the_strategy_at_the_next_bar_and_keeps_the_position(
    kernel: Kernel, tmp_path: Path
) -> None:
    spec = TraderSpec(
        trader_id="hold", strategy="holder", params={}, symbol="BTC/USDT", timeframe="1m"
    )
    await kernel.traders.add(spec)
    await drive(kernel, START, 5)
    runner = kernel.traders.runners["hold"]
    held = runner.context.portfolio.quantity("BTC/USDT")
    cash = runner.context.portfolio.cash
    assert held > 0 and type(runner.context.strategy).VERSION == "A"

    path = tmp_path / "home" / "strategies" / "holder.py"
    rewrite(path, VERSION.format(version="B"))
    reloaded = await admin.request_reload(kernel.db, "hold")
    assert reloaded.strategy_revision == 1
    await kernel.traders.reconcile()
    assert type(runner.context.strategy).VERSION == "A"  # not between bars
    await drive(kernel, START + timedelta(minutes=5), 3)
    assert kernel.traders.runners["hold"] is runner  # same runner: not a restart
    assert type(runner.context.strategy).VERSION == "B"
    assert runner.context.portfolio.quantity("BTC/USDT") == held
    assert runner.context.portfolio.cash == cash

    rewrite(path, "this is not python\n")
    await admin.request_reload(kernel.db, "hold")
    await kernel.traders.reconcile()
    await drive(kernel, START + timedelta(minutes=8), 2)
    assert type(runner.context.strategy).VERSION == "B"  # a broken file keeps the old one
    assert runner.context.portfolio.quantity("BTC/USDT") == held > Decimal(0)

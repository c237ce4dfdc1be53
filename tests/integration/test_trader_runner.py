"""A paper trader driven through the bus persists everything and resumes after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.domain.enums import OrderStatus
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.repositories.journal import count_events
from tradestack.storage.repositories.orders import list_fills, list_orders
from tradestack.storage.repositories.portfolio import list_balances, list_positions

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(
        home=tmp_path,
        run={
            "history_bars": 100,
            "timeframe": "1m",  # the bars these tests drive by hand
            "strategy_params": {"fast": 3, "slow": 8},
            "replay": "fast",
            "replay_interval_s": 60,
        },
    )


async def drive(kernel: Kernel, bars: int, start_after: datetime) -> None:
    """Publish ``bars`` synthetic bars after ``start_after`` as the replay feed would."""
    market = SyntheticMarket(seed=11)
    for bar in market.bars("BTC/USDT", "1m", start_after, bars):
        await kernel.bus.publish(bar_event(bar))


@pytest.mark.slow
async def test_orders_fills_positions_persist_and_survive_restart(tmp_path: Path) -> None:
    first = Kernel.build(settings(tmp_path))
    await first.prepare()
    await first.start()
    await first.feed.stop()  # drive bars by hand
    await drive(first, 400, NOW.replace(year=2027))
    await first.stop()

    db = Kernel.build(settings(tmp_path)).db
    async with db.read() as connection:
        orders = await list_orders(connection, trader_id="default", limit=1000)
        fills = await list_fills(connection, trader_id="default", limit=1000)
        positions = await list_positions(connection, trader_id="default")
        balances = await list_balances(connection, trader_id="default")
        events = await count_events(connection, "order.filled")
    await db.dispose()
    filled = [o for o in orders if o.status is OrderStatus.FILLED]
    assert len(filled) >= 2
    assert len(fills) == len(filled)
    assert events == len(filled)
    assert all(
        o.status in {OrderStatus.FILLED, OrderStatus.SUBMITTED, OrderStatus.REJECTED}
        for o in orders
    )
    cash_before = balances["default"]["USDT"][0]

    second = Kernel.build(settings(tmp_path))
    await second.prepare()
    await second.start()
    trader = second.traders.runners["default"]
    assert trader.context.portfolio.cash == cash_before
    assert trader.context.portfolio.quantity("BTC/USDT") == (
        positions[0].quantity if positions else 0
    )
    assert trader.orders_filled == len(filled)
    await second.stop()

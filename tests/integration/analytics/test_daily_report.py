"""The daily report's content from real stored data, sent through a configured channel."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.integration.analytics.seed import D, at, seed_alice
from tradestack.analytics.store import stored_windows
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.domain.positions import Position
from tradestack.notify.fanout import Channel, NotificationDispatcher
from tradestack.reports.daily import build_daily_report
from tradestack.storage.database import Database
from tradestack.storage.repositories.portfolio import save_position


class Inbox:
    name = "inbox"

    def __init__(self) -> None:
        self.received: list[Notification] = []

    async def send(self, notification: Notification) -> None:
        self.received.append(notification)

    async def close(self) -> None:
        return None


async def test_report_per_trader(database: Database) -> None:
    await seed_alice(database)
    async with database.transaction() as connection:
        await save_position(
            connection,
            Position(
                trader_id="alice",
                symbol="ETH/USDT",
                quantity=D("2"),
                average_price=D("2000"),
                updated_at=at(2, 11),
            ),
        )
    # due 18:00 UTC on day 2: the window is day 2 from midnight, based on day 1's last equity
    report = await build_daily_report(database, due=at(2, 18), zone=ZoneInfo("UTC"))
    (alice,) = report.traders
    perf = alice.performance
    assert report.day.isoformat() == "2026-01-06" and report.start == at(2, 0)
    assert perf.net_pnl == D(-100)  # 10050 -> 9950 by 12:00
    assert (perf.trades, perf.win_rate) == (1, 1.0)
    assert perf.max_drawdown_pct == pytest.approx(100 / 10050)
    assert [p.symbol for p in alice.open_positions] == ["ETH/USDT"]
    assert report.text().splitlines() == [
        "alice (active): PnL -100.00, trades 1, win rate 100%, max drawdown 1.00%",
        "  open ETH/USDT 2 @ 2000.00",
    ]
    notification = report.notification()
    assert notification.kind is NotificationKind.DAILY_REPORT
    assert notification.title == "Daily report 2026-01-06 (UTC): PnL -100.00"
    (window,) = await stored_windows(database, name="alice")
    assert window["window_start"] == at(2, 0) and window["net_pnl"] == Decimal(-100)


async def test_report_goes_to_channels_that_opted_in(database: Database) -> None:
    await seed_alice(database)
    wants, ignores = Inbox(), Inbox()
    ignores.name = "trades-only"
    dispatcher = NotificationDispatcher(
        bus=InMemoryBus(),
        channels=[
            Channel(wants, frozenset({NotificationKind.DAILY_REPORT})),
            Channel(ignores, frozenset({NotificationKind.TRADE_EXECUTED})),
        ],
    )
    report = await build_daily_report(database, due=at(3, 0), zone=ZoneInfo("UTC"), store=False)
    delivery = await dispatcher.deliver(report.notification())
    assert delivery.results == {"inbox": None}
    assert wants.received[0].text.startswith("alice (active): PnL +150.00, trades 1")
    assert ignores.received == []

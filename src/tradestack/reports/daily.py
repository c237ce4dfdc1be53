"""Build the daily report: per trader PnL, trades, win rate, drawdown and open positions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tradestack.analytics.performance import Performance, trader_performance
from tradestack.analytics.store import store_performance
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.domain.positions import Position
from tradestack.portfolio.queries import find_positions
from tradestack.storage.database import Database
from tradestack.storage.repositories.traders import list_traders


@dataclass(frozen=True, slots=True)
class TraderDay:
    trader_id: str
    status: str
    performance: Performance
    open_positions: list[Position]


@dataclass(frozen=True, slots=True)
class DailyReport:
    day: date
    zone: str
    start: datetime
    end: datetime
    traders: list[TraderDay]

    def text(self) -> str:
        lines = []
        for entry in self.traders:
            perf = entry.performance
            win = f"{perf.win_rate:.0%}" if perf.win_rate is not None else "-"
            lines.append(
                f"{entry.trader_id} ({entry.status}): PnL {perf.net_pnl:+.2f}, "
                f"trades {perf.trades}, win rate {win}, "
                f"max drawdown {perf.max_drawdown_pct:.2%}"
            )
            for p in entry.open_positions:
                lines.append(f"  open {p.symbol} {p.quantity:f} @ {p.average_price:.2f}")
            if not entry.open_positions:
                lines.append("  no open positions")
        return "\n".join(lines) or "no traders"

    def notification(self) -> Notification:
        total = sum(entry.performance.net_pnl for entry in self.traders)
        return Notification(
            kind=NotificationKind.DAILY_REPORT,
            title=f"Daily report {self.day.isoformat()} ({self.zone}): PnL {total:+.2f}",
            text=self.text(),
            details={"day": self.day.isoformat(), "zone": self.zone, "traders": len(self.traders)},
        )


def report_window(due: datetime, zone: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The day a report sent at ``due`` covers: from local midnight up to ``due``.

    A report due exactly at midnight covers the whole day before.
    """
    local = due.astimezone(zone)
    day = local.date()
    if local.time() == time(0):
        day -= timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return day, start, due


async def build_daily_report(
    db: Database, *, due: datetime, zone: ZoneInfo, store: bool = True
) -> DailyReport:
    """Compute the report for the day ``due`` closes; ``store`` keeps each trader's window."""
    day, start, end = report_window(due, zone)
    async with db.read() as connection:
        records = await list_traders(connection)
    positions = await find_positions(db, open_only=True)
    entries = []
    for record in records:
        perf = await trader_performance(db, record.trader_id, start=start, end=end, zone=zone)
        if store:
            await store_performance(db, perf)
        held = [p for p in positions if p.trader_id == record.trader_id]
        entries.append(TraderDay(record.trader_id, record.status, perf, held))
    return DailyReport(day=day, zone=zone.key, start=start, end=end, traders=entries)

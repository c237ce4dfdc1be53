"""The commands a chat can send, answered as plain text; no chat library in sight.

The Telegram adapter (``control/telegram_bot.py``) only parses updates and
calls ``ControlService.handle``; any other chat adapter could do the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tradestack.analytics.performance import trader_performance
from tradestack.compliance.actions import record_manual_action
from tradestack.control.confirmations import Confirmations, PendingAction
from tradestack.portfolio.queries import find_positions
from tradestack.storage.repositories.orders import list_orders
from tradestack.storage.repositories.portfolio import list_balances
from tradestack.system.platform import Platform

HELP = """Commands:
/status - system and services
/balance - balances per trader
/positions - open positions
/orders - open orders
/pnl - PnL today and this week
/traders - traders and their state
/stop NAME [flatten] - emergency-stop one trader (asks to confirm)
/stopall [flatten] - emergency-stop every trader (asks to confirm)
/confirm CODE - confirm a stop
/help - this list"""
COMMANDS = ("start", "help", "status", "balance", "positions", "orders", "pnl", "traders")
COMMANDS += ("stop", "stopall", "confirm")


class ControlService:
    def __init__(
        self,
        platform: Platform,
        *,
        zone: ZoneInfo,
        confirm_timeout_s: float = 60.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.platform = platform
        self.zone = zone
        self.clock = clock
        self.confirmations = Confirmations(timeout_s=confirm_timeout_s)

    async def handle(self, chat_id: int, command: str, args: list[str]) -> str:
        """Answer one command from an allow-listed chat."""
        handlers: dict[str, Callable[[], Awaitable[str]]] = {
            "start": self._help,
            "help": self._help,
            "status": self._status,
            "balance": self._balance,
            "positions": self._positions,
            "orders": self._orders,
            "pnl": self._pnl,
            "traders": self._traders,
        }
        if command in handlers:
            return await handlers[command]()
        if command == "stop":
            return await self._ask_stop(chat_id, args)
        if command == "stopall":
            return self._ask(chat_id, "stopall", None, "flatten" in args)
        if command == "confirm":
            return await self._confirm(chat_id, args)
        return f"Unknown command /{command}.\n{HELP}"

    async def _help(self) -> str:
        return HELP

    async def _status(self) -> str:
        status = await self.platform.status()
        bus = status.get("event_bus", {})
        feed = status.get("feed", {})
        lines = [
            f"tradestack {status['version']} ({status['shape']}), up {status['uptime_s']:.0f} s",
            f"database: {status['database']}",
            f"event bus: {bus.get('adapter')} ({'up' if bus.get('connected') else 'down'})",
            f"feed: {feed.get('state')}, {feed.get('bars_published', 0)} bars",
        ]
        for name, state in (status.get("services") or {}).items():
            lines.append(f"{name}: {state}")
        for trader in status.get("traders", []):
            lines.append(f"trader {trader['trader_id']}: {trader['state']}")
        return "\n".join(lines)

    async def _balance(self) -> str:
        async with self.platform.db.read() as connection:
            balances = await list_balances(connection)
        lines = []
        for trader_id, assets in sorted(balances.items()):
            held = ", ".join(f"{asset} {free:.8g}" for asset, (free, _locked) in assets.items())
            lines.append(f"{trader_id}: {held}")
        return "\n".join(lines) or "No balances yet."

    async def _positions(self) -> str:
        positions = await find_positions(self.platform.db, open_only=True)
        return (
            "\n".join(
                f"{p.trader_id} {p.symbol} {p.quantity:f} @ {p.average_price:.2f}, "
                f"unrealized {p.unrealized_pnl:+.2f}"
                for p in positions
            )
            or "No open positions."
        )

    async def _orders(self) -> str:
        async with self.platform.db.read() as connection:
            orders = await list_orders(connection, open_only=True, limit=21)
        lines = [
            f"{o.trader_id} {o.side} {o.quantity:f} {o.symbol} {o.type}"
            + (f" @ {o.price}" if o.price is not None else "")
            + f" ({o.status})"
            for o in orders[:20]
        ]
        if len(orders) > 20:
            lines.append("... and more")
        return "\n".join(lines) or "No open orders."

    async def _pnl(self) -> str:
        now = self.clock()
        local = now.astimezone(self.zone)
        today = datetime.combine(local.date(), time(0), tzinfo=self.zone)
        week = today - timedelta(days=local.weekday())
        lines = []
        for spec in await self.platform.traders.specs():
            db, trader_id = self.platform.db, spec.trader_id
            day = await trader_performance(db, trader_id, start=today, end=now, zone=self.zone)
            this_week = await trader_performance(db, trader_id, start=week, end=now, zone=self.zone)
            lines.append(
                f"{trader_id}: today {day.net_pnl:+.2f}, this week {this_week.net_pnl:+.2f}"
            )
        return "\n".join(lines) or "No traders."

    async def _traders(self) -> str:
        running = await self.platform.traders.summaries()
        lines = []
        for spec in await self.platform.traders.specs():
            summary = running.get(spec.trader_id)
            state = str(summary["state"]) if summary is not None else "not running"
            lines.append(
                f"{spec.trader_id}: {spec.status} ({state}), {spec.strategy} on "
                f"{spec.symbol} {spec.timeframe}"
            )
        return "\n".join(lines) or "No traders."

    async def _ask_stop(self, chat_id: int, args: list[str]) -> str:
        if not args:
            return "Usage: /stop NAME [flatten]"
        name = args[0]
        if name not in {spec.trader_id for spec in await self.platform.traders.specs()}:
            return f"No trader named {name}."
        return self._ask(chat_id, "stop", name, "flatten" in args[1:])

    def _ask(self, chat_id: int, action: str, target: str | None, flatten: bool) -> str:
        pending = self.confirmations.request(chat_id, action, target, flatten, self.clock())
        what = f"trader {target}" if target else "EVERY trader"
        extra = " and close its positions" if flatten else ""
        seconds = int(self.confirmations.timeout.total_seconds())
        return (
            f"Emergency stop of {what}: cancel open orders and halt{extra}.\n"
            f"Send /confirm {pending.code} within {seconds} s to go ahead."
        )

    async def _confirm(self, chat_id: int, args: list[str]) -> str:
        outcome = self.confirmations.confirm(chat_id, args[0] if args else "", self.clock())
        if isinstance(outcome, str):
            return outcome
        return await self._stop(chat_id, outcome)

    async def _stop(self, chat_id: int, pending: PendingAction) -> str:
        traders = self.platform.traders
        names = (
            [pending.target]
            if pending.target
            else [spec.trader_id for spec in await traders.specs() if spec.status != "stopped"]
        )
        lines = []
        for name in names:
            assert name is not None
            canceled = await traders.emergency_stop(name, flatten=pending.flatten)
            await record_manual_action(
                self.platform.db,
                actor=f"telegram:{chat_id}",
                action="trader.emergency_stop",
                target=name,
                details={"flatten": pending.flatten, "canceled_orders": canceled},
                source="telegram",
            )
            lines.append(f"{name}: halted, {canceled} order(s) canceled")
        return "\n".join(lines) or "No running traders to stop."

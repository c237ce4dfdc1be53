"""Assemble the operator-facing components: alerts, notifications, daily report, Telegram bot.

Each is off until configured (a rules file, notification channels, a report
time, a bot token with allowed chats). They are side channels: one that fails
to start is logged and left FAULTED, and trading goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tradestack.alerts.engine import AlertEngine
from tradestack.alerts.rules import check_channels, load_rules
from tradestack.compliance.actions import record_manual_action
from tradestack.lifecycle import Component, ComponentState
from tradestack.notify.factory import build_channels
from tradestack.notify.fanout import NotificationDispatcher
from tradestack.reports.scheduler import DailyReportScheduler
from tradestack.system.platform import Platform

if TYPE_CHECKING:
    from tradestack.control.telegram_bot import TelegramBot

log = logging.getLogger(__name__)


@dataclass
class Operations:
    alerts: AlertEngine | None = None
    notifications: NotificationDispatcher | None = None
    daily_report: DailyReportScheduler | None = None
    telegram_bot: TelegramBot | None = None

    def components(self) -> list[Component]:
        """In start order: the dispatcher first, so nothing raised is lost."""
        parts = (self.notifications, self.alerts, self.daily_report, self.telegram_bot)
        return [part for part in parts if part is not None]

    async def start(self) -> None:
        for component in self.components():
            try:
                await component.start()
            except Exception as error:  # a side channel must not keep trading from starting
                log.error("%s did not start: %s", component.name, error)

    async def stop(self) -> None:
        for component in reversed(self.components()):
            try:
                await component.stop()
            except Exception as error:
                log.error("%s did not stop cleanly: %s", component.name, error)

    def states(self) -> dict[str, str]:
        out = {}
        for component in self.components():
            state = component.state
            out[component.name] = (
                f"{state.value}: {component.fault}"
                if state is ComponentState.FAULTED
                else state.value
            )
        return out


def build_operations(kernel: Platform) -> Operations:
    """Build what the settings turn on (not started); bad configuration fails here."""
    settings = kernel.settings
    ops = Operations()
    channels = build_channels(settings)
    if channels:
        ops.notifications = NotificationDispatcher(
            bus=kernel.bus, channels=channels, queue_size=settings.notify.queue_size
        )
    if settings.alerts.rules_file is not None:
        ops.alerts = _alert_engine(kernel, settings.alerts.rules_file)
    zone = ZoneInfo(settings.report.timezone)
    if settings.report.daily_time is not None and ops.notifications is not None:
        ops.daily_report = DailyReportScheduler(
            db=kernel.db, send=ops.notifications.deliver, at=settings.report.daily_time, zone=zone
        )
    telegram = settings.telegram
    if telegram.token is not None and telegram.allowed_chat_ids and telegram.commands:
        from tradestack.control.commands import ControlService
        from tradestack.control.telegram_bot import TelegramBot

        ops.telegram_bot = TelegramBot(
            token=telegram.token.get_secret_value(),
            allowed_chat_ids=telegram.allowed_chat_ids,
            control=ControlService(kernel, zone=zone, confirm_timeout_s=telegram.confirm_timeout_s),
            base_url=telegram.base_url,
        )
    return ops


def _alert_engine(kernel: Platform, rules_file: Path) -> AlertEngine:
    async def database_up() -> dict[str, float]:
        await kernel.db.check()
        return {"": 1.0}

    async def trader_faulted() -> dict[str, float]:
        running = await kernel.traders.summaries()
        return {name: 1.0 for name, s in running.items() if s["state"] == "FAULTED"}

    async def halt(trader_id: str, reason: str) -> None:
        canceled = await kernel.traders.emergency_stop(trader_id)
        await record_manual_action(
            kernel.db,
            actor="alerts",
            action="trader.emergency_stop",
            target=trader_id,
            details={"reason": reason, "canceled_orders": canceled},
            source="alerts",
        )

    settings = kernel.settings.alerts
    rules = load_rules(rules_file)
    check_channels(rules, kernel.settings.notify.channels, source=str(rules_file))
    return AlertEngine(
        rules=rules,
        db=kernel.db,
        bus=kernel.bus,
        probes={"database_up": database_up, "trader_faulted": trader_faulted},
        evaluate_every_s=settings.evaluate_every_s,
        probe_timeout_s=settings.probe_timeout_s,
        on_halt=halt,
    )

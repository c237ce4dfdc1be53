"""TraderSpec: what a trader runs, stored in the ``traders`` table and editable while stopped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from tradestack.config.settings import (
    MAX_USD,
    CcxtSettings,
    PaperSettings,
    RiskSettings,
    RunSettings,
    Settings,
)
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import ConfigError
from tradestack.storage.repositories.traders import TraderRecord
from tradestack.strategy.registry import create_strategy

ACTIVE = "active"
STOPPED = "stopped"
HALTED = "halted"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
VENUES = ("paper", "ccxt")
_SECRET_KEYS = {"api_key", "api_secret", "api_password"}


@dataclass(frozen=True, slots=True)
class TraderSpec:
    """One trader: strategy and market, its account, and overrides of the global settings."""

    trader_id: str
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    account_id: str = "default"
    starting_cash: Decimal = Decimal(10_000)
    allocation: Decimal = Decimal("0.95")
    lot_size: Decimal = Decimal("0.0001")
    risk: dict[str, Any] = field(default_factory=dict)
    paper: dict[str, Any] = field(default_factory=dict)
    status: str = ACTIVE
    halt_flatten: bool = False
    """Set with a halted status by ``trader stop --emergency --flatten``: close positions too."""
    venue: str = "paper"
    """``paper`` (simulated) or ``ccxt`` (a real exchange, see ``ccxt_settings``)."""
    ccxt: dict[str, Any] = field(default_factory=dict)
    """Overrides of the global ccxt settings (exchange, sandbox, ...), never keys."""

    @classmethod
    def from_run_settings(cls, run: RunSettings) -> TraderSpec:
        return cls(
            trader_id=run.trader,
            strategy=run.strategy,
            params=dict(run.strategy_params),
            symbol=run.symbol,
            timeframe=run.timeframe,
            starting_cash=run.starting_cash,
            allocation=run.allocation,
            lot_size=run.lot_size,
        )

    def validate(self, settings: Settings) -> None:
        """Raise ConfigError naming the first thing wrong with this spec."""
        if not _NAME.match(self.trader_id):
            raise ConfigError(
                f"trader name {self.trader_id!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        try:
            Timeframe.parse(self.timeframe)
            create_strategy(self.strategy, self.params)
        except ValueError as error:
            raise ConfigError(f"trader {self.trader_id}: {error}") from None
        if not Decimal(0) < self.starting_cash <= MAX_USD:
            raise ConfigError(
                f"trader {self.trader_id}: starting cash {self.starting_cash} must be above 0 "
                f"and at most {MAX_USD:,}"
            )
        self.risk_settings(settings)
        self.paper_settings(settings)
        if self.venue not in VENUES:
            raise ConfigError(f"trader {self.trader_id}: venue must be one of {', '.join(VENUES)}")
        if _SECRET_KEYS & set(self.ccxt):
            raise ConfigError(
                f"trader {self.trader_id}: exchange keys come from settings or the environment, "
                "never from a trader's stored definition"
            )
        self.ccxt_settings(settings)

    def risk_settings(self, settings: Settings) -> RiskSettings:
        return merge_group(settings.risk, self.risk, f"trader {self.trader_id} risk")

    def paper_settings(self, settings: Settings) -> PaperSettings:
        return merge_group(settings.paper, self.paper, f"trader {self.trader_id} paper")

    def ccxt_settings(self, settings: Settings) -> CcxtSettings:
        return merge_group(settings.ccxt, self.ccxt, f"trader {self.trader_id} ccxt")

    def to_record(self, *, created_at: datetime | None = None) -> TraderRecord:
        now = datetime.now(UTC)
        return TraderRecord(
            trader_id=self.trader_id,
            strategy=self.strategy,
            params=dict(self.params),
            symbol=self.symbol,
            timeframe=self.timeframe,
            status=self.status,
            created_at=created_at or now,
            updated_at=now,
            account_id=self.account_id,
            config={
                "starting_cash": str(self.starting_cash),
                "allocation": str(self.allocation),
                "lot_size": str(self.lot_size),
                "risk": self.risk,
                "paper": self.paper,
                "halt_flatten": self.halt_flatten,
                "venue": self.venue,
                "ccxt": self.ccxt,
            },
        )

    @classmethod
    def from_record(cls, record: TraderRecord) -> TraderSpec:
        config = record.config or {}
        return cls(
            trader_id=record.trader_id,
            strategy=record.strategy,
            params=dict(record.params),
            symbol=record.symbol,
            timeframe=record.timeframe,
            account_id=record.account_id,
            starting_cash=Decimal(config.get("starting_cash", "10000")),
            allocation=Decimal(config.get("allocation", "0.95")),
            lot_size=Decimal(config.get("lot_size", "0.0001")),
            risk=dict(config.get("risk") or {}),
            paper=dict(config.get("paper") or {}),
            venue=str(config.get("venue") or "paper"),
            ccxt=dict(config.get("ccxt") or {}),
            status=record.status if record.status in {ACTIVE, STOPPED, HALTED} else ACTIVE,
            halt_flatten=bool(config.get("halt_flatten", False)),
        )


def merge_group(base: Any, overrides: dict[str, Any], what: str) -> Any:
    if not overrides:
        return base
    try:
        return type(base).model_validate({**base.model_dump(), **overrides})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"{what}: {problems}") from None

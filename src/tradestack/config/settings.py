"""The settings model: fields map to ``TRADESTACK_<NAME>`` and ``TRADESTACK_<GROUP>__<NAME>``."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from tradestack.config.data_settings import DataSettings
from tradestack.domain.notifications import NotificationKind
from tradestack.domain.timeframes import Timeframe

CONFIG_VERSION = 2
# Marks a field that a running process may take over on SIGHUP without a restart.
RELOADABLE: dict[str, Any] = {"json_schema_extra": {"reloadable": True}}

# The YAML file being loaded; set by ``config.loader.load_settings`` only.
yaml_file_var: ContextVar[Path | None] = ContextVar("tradestack_yaml_file", default=None)


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSettings(_Group):
    """What ``tradestack run`` trades out of the box."""

    trader: str = "default"
    symbol: str = "BTC/USDT"
    timeframe: str = "1m"
    strategy: str = "sma_cross"
    strategy_params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    history_bars: int = Field(default=2_000, ge=0, le=5_000_000)
    replay_interval_s: float = Field(default=0.25, gt=0)
    starting_cash: Decimal = Field(default=Decimal(10_000), gt=0)
    allocation: Decimal = Field(default=Decimal("0.95"), gt=0, le=1)
    lot_size: Decimal = Field(default=Decimal("0.0001"), gt=0)
    seed: int = 7
    summary_interval_s: float = Field(default=1.0, gt=0)
    equity_snapshot_every_s: int = Field(
        default=300, gt=0, description="bar time between equity snapshots"
    )

    @field_validator("timeframe")
    @classmethod
    def _valid_timeframe(cls, value: str) -> str:
        Timeframe.parse(value)
        return value


class PaperSettings(_Group):
    """The paper venue's costs and account rules (see ``execution/venues/paper``)."""

    fee_rate: Decimal = Field(default=Decimal("0.001"), ge=0, lt=1, description="taker fee")
    maker_fee_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    slippage_bps: Decimal = Field(default=Decimal(0), ge=0)
    slippage_model: Literal["fixed", "volume"] = "fixed"
    max_volume_fraction: Decimal | None = Field(default=None, gt=0, le=1)
    account_type: Literal["spot", "margin"] = "spot"
    leverage: Decimal = Field(default=Decimal(1), ge=1, le=125)
    hedge_mode: bool = False


MAX_USD = Decimal(10) ** 15
MAX_LEVERAGE = Decimal(1_000)
MAX_PCT = Decimal(10_000)


class InstrumentSettings(_Group):
    """One symbol's grid for paper trading and backtests (live venues report their own)."""

    tick_size: Decimal = Field(default=Decimal("0.00000001"), gt=0)
    lot_size: Decimal | None = Field(default=None, gt=0, description="run.lot_size when unset")
    min_notional: Decimal = Field(default=Decimal(0), ge=0)
    min_quantity: Decimal = Field(default=Decimal(0), ge=0)


class RiskSettings(_Group):
    """Pre-trade limits applied to every trader (None switches a rule off).

    Amounts stop at ``MAX_USD`` (what the database's money columns hold) and
    leverage at ``MAX_LEVERAGE``: a larger value is a typo, not a limit.
    """

    max_position_size_usd: Decimal = Field(
        default=Decimal(1_000_000), gt=0, le=MAX_USD, **RELOADABLE
    )
    max_leverage: Decimal | None = Field(default=None, gt=0, le=MAX_LEVERAGE)
    min_confidence_threshold: float | None = Field(default=None, ge=0, le=1)
    max_open_positions: int | None = Field(default=None, ge=1, le=1_000_000)
    max_symbol_exposure_pct: Decimal | None = Field(default=None, gt=0, le=MAX_PCT)
    risk_per_trade_pct: Decimal | None = Field(default=None, gt=0, le=100)
    daily_loss_limit_usd: Decimal | None = Field(default=None, gt=0, le=MAX_USD)
    max_drawdown_pct: Decimal | None = Field(default=None, gt=0, le=100)
    account_max_exposure_usd: Decimal | None = Field(default=None, gt=0, le=MAX_USD)
    account_max_open_positions: int | None = Field(default=None, ge=1, le=1_000_000)
    account_daily_loss_limit_usd: Decimal | None = Field(default=None, gt=0, le=MAX_USD)


class ApiSettings(_Group):
    """The gateway's access rules, limits and WebSocket buffers (``TRADESTACK_API__*``)."""

    anonymous_read: Literal["loopback", "off"] = Field(
        default="loopback",
        description="'loopback': requests without a token from 127.0.0.1/::1 may read; "
        "'off': every request needs a token. Changes always need one.",
    )
    allow_anonymous_remote: bool = Field(
        default=False,
        description="serve on a non-loopback api_host although anonymous reads are on",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed by CORS; empty switches CORS off"
    )
    rate_limit_per_s: float = Field(
        default=50.0, ge=0, description="sustained requests per second per token; 0 is no limit"
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="requests a token may burst")
    token_cache_s: float = Field(
        default=5.0, ge=0, description="how long a verified token is trusted before re-reading"
    )
    ws_queue_size: int = Field(
        default=1_000, ge=1, description="messages buffered per WebSocket client"
    )
    ws_max_dropped: int = Field(
        default=200, ge=1, description="dropped messages after which a slow client is closed"
    )


class ServicesSettings(_Group):
    """The services shape: where each service's health server listens, and heartbeats."""

    host: str = "127.0.0.1"
    market_data_port: int = Field(default=8101, ge=0, le=65535)
    strategy_port: int = Field(default=8102, ge=0, le=65535)
    exec_risk_port: int = Field(default=8103, ge=0, le=65535)
    analytics_port: int = Field(default=8104, ge=0, le=65535)
    heartbeat_interval_s: float = Field(default=2.0, gt=0)
    heartbeat_timeout_s: float = Field(default=6.0, gt=0)
    restart_backoff_s: float = Field(default=0.5, gt=0)
    restart_backoff_max_s: float = Field(default=30.0, gt=0)


class CcxtSettings(_Group):
    """The ccxt venue of live traders (``venue: ccxt``); keys fall back to ``exchange_api_*``."""

    exchange: str = Field(default="binance", pattern=r"^[a-z0-9_]+$")
    sandbox: bool = Field(default=True, description="testnet/sandbox unless turned off")
    market_type: Literal["spot", "swap"] = "spot"
    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    api_password: SecretStr | None = None
    api_urls: dict[str, str] = Field(default_factory=dict)
    options: dict[str, object] = Field(default_factory=dict, description="passed to ccxt")
    timeout_ms: int = Field(default=10_000, ge=100)
    orphan_policy: Literal["adopt", "cancel"] = "cancel"
    orphan_scope: Literal["own", "symbol"] = "own"
    reconcile_retry_s: float = Field(default=30.0, ge=0)
    send_unsent_within_s: float = Field(
        default=300.0,
        ge=0,
        description="an order written down but never sent (a crash between the two) is sent "
        "once after a restart when younger than this; 0 closes it instead",
    )
    read_attempts: int = Field(default=5, ge=1, le=20, description="reads retried on errors")
    retry_delay_s: float = Field(default=0.25, ge=0, description="first back-off, doubling")
    retry_max_delay_s: float = Field(default=8.0, ge=0)


class AlertsSettings(_Group):
    """The alert engine runs when a rules file is named (see ``alerts/rules.py``)."""

    rules_file: Path | None = None
    evaluate_every_s: float = Field(default=5.0, gt=0)
    probe_timeout_s: float = Field(default=2.0, gt=0)


class NotifySettings(_Group):
    """Notification channels and which kinds of notification each one wants."""

    channels: list[Literal["log", "webhook", "telegram"]] = Field(default_factory=list)
    events: list[NotificationKind] = Field(default_factory=lambda: list(NotificationKind))
    log_events: list[NotificationKind] | None = None
    webhook_events: list[NotificationKind] | None = None
    telegram_events: list[NotificationKind] | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    queue_size: int = Field(default=1_000, ge=1)

    def events_for(self, channel: str) -> frozenset[NotificationKind]:
        """Return the kinds ``channel`` opted into (its own list, else ``events``)."""
        own = getattr(self, f"{channel}_events")
        return frozenset(self.events if own is None else own)


class TelegramSettings(_Group):
    """The Telegram bot and notifier; both talk only to ``allowed_chat_ids``."""

    token: SecretStr | None = None
    allowed_chat_ids: list[int] = Field(default_factory=list)
    base_url: str = "https://api.telegram.org/bot"
    commands: bool = Field(default=True, description="answer commands, not only notify")
    confirm_timeout_s: float = Field(default=60.0, gt=0)


class ReportSettings(_Group):
    """The daily report: off until ``daily_time`` is set."""

    daily_time: time | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class BusSettings(_Group):
    """How the broker adapters (Redis Streams, NATS JetStream) store and deliver events.

    The in-memory bus reads only ``max_deliver`` and ``retry_backoff_s``.
    """

    namespace: str = Field(default="tradestack", pattern=r"^[A-Za-z0-9_-]+$")
    stream_maxlen: int = Field(default=1_000_000, ge=1_000)
    claim_idle_s: float = Field(default=30.0, gt=0)
    max_deliver: int = Field(default=5, ge=1, le=100)
    retry_backoff_s: float = Field(default=0.05, ge=0)
    read_batch: int = Field(default=500, ge=1, le=10_000)
    poll_timeout_s: float = Field(default=1.0, gt=0)
    discover_interval_s: float = Field(default=1.0, gt=0)
    publish_timeout_s: float = Field(default=30.0, gt=0)
    reconnect_max_backoff_s: float = Field(default=2.0, gt=0)


class Settings(BaseSettings):
    """Everything tradestack reads from its environment; frozen once loaded."""

    model_config = SettingsConfigDict(
        env_prefix="TRADESTACK_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    config_version: int = CONFIG_VERSION
    home: Path = Path("./var")
    database_url: str = ""
    event_bus: Literal["memory", "redis", "nats"] = "memory"
    bus_url: str | None = None
    bus_queue_size: int = Field(default=10_000, ge=1)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)
    api_token: SecretStr | None = Field(
        default=None, description="bootstrap admin token, accepted besides stored tokens"
    )
    exchange_api_key: SecretStr | None = None
    exchange_api_secret: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="WARNING", **RELOADABLE)
    run: RunSettings = Field(default_factory=RunSettings)
    paper: PaperSettings = Field(default_factory=PaperSettings)
    instruments: dict[str, InstrumentSettings] = Field(
        default_factory=dict, description="tick/lot/min notional per symbol (paper, backtests)"
    )
    risk: RiskSettings = Field(default_factory=RiskSettings)
    services: ServicesSettings = Field(default_factory=ServicesSettings)
    ccxt: CcxtSettings = Field(default_factory=CcxtSettings)
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    data: DataSettings = Field(default_factory=DataSettings)
    bus: BusSettings = Field(default_factory=BusSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings, dotenv_settings]
        yaml_file = yaml_file_var.get()
        if yaml_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
        return tuple(sources)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            path = (self.home / "tradestack.db").as_posix()
            object.__setattr__(self, "database_url", f"sqlite+aiosqlite:///{path}")
        return self

    @field_validator("config_version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value != CONFIG_VERSION:
            raise ValueError(
                f"config_version {value} is not {CONFIG_VERSION}; "
                "run 'tradestack config migrate' to upgrade the file"
            )
        return value

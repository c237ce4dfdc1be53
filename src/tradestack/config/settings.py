"""The settings model: fields map to ``TRADESTACK_<NAME>`` and ``TRADESTACK_<GROUP>__<NAME>``."""

from __future__ import annotations

from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from tradestack.domain.timeframes import Timeframe

CONFIG_VERSION = 2

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

    @field_validator("timeframe")
    @classmethod
    def _valid_timeframe(cls, value: str) -> str:
        Timeframe.parse(value)
        return value


class PaperSettings(_Group):
    """The paper venue's costs."""

    fee_rate: Decimal = Field(default=Decimal("0.001"), ge=0, lt=1)


class RiskSettings(_Group):
    """Pre-trade limits applied to every trader."""

    max_position_size_usd: Decimal = Field(default=Decimal(1_000_000), gt=0)


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
    api_token: SecretStr | None = None
    exchange_api_key: SecretStr | None = None
    exchange_api_secret: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    run: RunSettings = Field(default_factory=RunSettings)
    paper: PaperSettings = Field(default_factory=PaperSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    bus: BusSettings = Field(default_factory=BusSettings)

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

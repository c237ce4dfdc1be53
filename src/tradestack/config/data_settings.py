"""Settings of the market-data subsystem: providers, API keys, calendars, archive, live feed.

Read as the nested group ``data`` (``TRADESTACK_DATA__<NAME>`` or a ``data:``
mapping in the YAML file). Vendor API keys follow their own convention:
``API_KEY_<GROUP>_<N>`` variables (for example ``API_KEY_G1_1`` to
``API_KEY_G2_8``) fill ``api_keys`` when it is not set otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, SecretStr, field_validator

from tradestack.marketdata.calendars import parse_calendar

API_KEY_VARIABLE = re.compile(r"^API_KEY_([A-Za-z0-9]+)_(\d+)$")


def keys_from_environment(environ: Mapping[str, str]) -> dict[str, list[str]]:
    """Collect ``API_KEY_<GROUP>_<N>`` variables into ``{"g1": [key1, key2, ...]}``.

    Groups and keys are ordered by name and number; empty values are ignored.
    """
    found: dict[str, dict[int, str]] = {}
    for name, value in environ.items():
        match = API_KEY_VARIABLE.match(name)
        if match and value.strip():
            found.setdefault(match[1].lower(), {})[int(match[2])] = value.strip()
    return {group: [keys[i] for i in sorted(keys)] for group, keys in sorted(found.items())}


def _keys_from_process_environment() -> dict[str, list[SecretStr]]:
    groups = keys_from_environment(os.environ)
    return {group: [SecretStr(k) for k in keys] for group, keys in groups.items()}


class DataSettings(BaseModel):
    """Where bars come from and how they are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["synthetic", "ccxt"] = "synthetic"
    exchange: str = "binance"
    exchange_api_url: str | None = None
    exchange_options: dict[str, JsonValue] = Field(default_factory=dict)
    rate_limit_ms: float | None = Field(default=None, gt=0)
    page_limit: int = Field(default=1000, ge=1, le=10_000)
    api_keys: dict[str, list[SecretStr]] = Field(default_factory=_keys_from_process_environment)
    key_group: str | None = None
    key_backoff_s: float = Field(default=60.0, gt=0)
    default_calendar: str = "24/7"
    calendars: dict[str, str] = Field(default_factory=dict)
    history_days: int = Field(default=30, ge=1)
    symbols: list[str] = Field(default_factory=list)
    archive_dir: Path | None = None
    live_poll_s: float = Field(default=5.0, gt=0)
    gate_poll_s: float = Field(default=1.0, gt=0)

    @field_validator("default_calendar")
    @classmethod
    def _valid_default_calendar(cls, value: str) -> str:
        parse_calendar(value)
        return value

    @field_validator("calendars")
    @classmethod
    def _valid_calendars(cls, value: dict[str, str]) -> dict[str, str]:
        for symbol, spec in value.items():
            try:
                parse_calendar(spec)
            except ValueError as error:
                raise ValueError(f"calendar of {symbol}: {error}") from None
        return value

    def calendar_spec(self, symbol: str) -> str:
        return self.calendars.get(symbol, self.default_calendar)

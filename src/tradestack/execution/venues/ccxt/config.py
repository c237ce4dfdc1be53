"""Frozen settings of one ccxt venue connection: which exchange, which keys, which URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class CcxtConfig:
    """How to reach one exchange through ccxt.

    ``api_urls`` replaces entries of the exchange's ``urls['api']`` (a gateway,
    or a local server in tests); ``options`` is merged into ccxt's own options.
    Keys are SecretStr so that a repr or a log line never shows them.
    """

    exchange_id: str
    sandbox: bool = False
    api_key: SecretStr | None = field(default=None, repr=False)
    secret: SecretStr | None = field(default=None, repr=False)
    password: SecretStr | None = field(default=None, repr=False)
    """The API passphrase some exchanges require (okx, kucoin, bitget)."""
    market_type: Literal["spot", "swap"] = "spot"
    api_urls: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout_ms: int = 10_000
    enable_rate_limit: bool = True

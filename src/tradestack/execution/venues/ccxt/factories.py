"""Build a CcxtVenue from a CcxtConfig: pick the exchange class, keys, sandbox, URLs."""

from __future__ import annotations

import logging
from typing import Any

import ccxt.async_support as ccxt

from tradestack.errors import ConfigError
from tradestack.execution.venues.ccxt.config import CcxtConfig
from tradestack.execution.venues.ccxt.exchanges import EXCHANGES, notes_for
from tradestack.execution.venues.ccxt.execution import CcxtVenue

log = logging.getLogger(__name__)


def create_exchange(config: CcxtConfig) -> Any:
    """Instantiate ccxt's exchange class; raise ConfigError for an unknown id or no sandbox."""
    if config.exchange_id not in ccxt.exchanges:
        raise ConfigError(
            f"unknown exchange {config.exchange_id!r}; ccxt knows e.g. {', '.join(EXCHANGES)}"
        )
    if config.exchange_id not in EXCHANGES:
        log.warning("exchange %s has no reviewed notes; using generic rules", config.exchange_id)
    notes = notes_for(config.exchange_id)
    if notes.needs_password and config.api_key is not None and config.password is None:
        raise ConfigError(f"exchange {config.exchange_id} needs an API password (passphrase)")
    arguments: dict[str, Any] = {
        "enableRateLimit": config.enable_rate_limit,
        "timeout": config.timeout_ms,
        "options": {"defaultType": config.market_type, **dict(config.options)},
    }
    for name, secret in (
        ("apiKey", config.api_key),
        ("secret", config.secret),
        ("password", config.password),
    ):
        if secret is not None:
            arguments[name] = secret.get_secret_value()
    exchange = getattr(ccxt, config.exchange_id)(arguments)
    if config.sandbox:
        try:
            exchange.set_sandbox_mode(True)
        except (ccxt.NotSupported, TypeError):  # TypeError: ccxt lists test URLs as None
            raise ConfigError(f"exchange {config.exchange_id} has no sandbox/testnet") from None
    if config.api_urls:
        _override_urls(exchange, config.api_urls)
    return exchange


def build_ccxt_venue(config: CcxtConfig, *, trader_id: str) -> CcxtVenue:
    """Return a CcxtVenue for one trader; call ``connect()`` before use."""
    exchange = create_exchange(config)
    return CcxtVenue(exchange, config, notes=notes_for(config.exchange_id), trader_id=trader_id)


def _override_urls(exchange: Any, api_urls: Any) -> None:
    current = exchange.urls.get("api")
    if isinstance(current, dict):
        exchange.urls["api"] = {**current, **dict(api_urls)}
    else:
        exchange.urls["api"] = next(iter(api_urls.values()))

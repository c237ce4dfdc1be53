"""The declared mapping from config version 1 (flat legacy keys) to version 2 (grouped settings).

Version 1 is the flat ``KEY=value`` style of older deployments, in a ``.env`` or
a YAML file without groups. ``tradestack config migrate`` applies this table and
nothing else; a key found nowhere here is reported by name and not carried over.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Split:
    """One legacy value becoming several settings, each the value plus an offset."""

    legacy: str
    targets: tuple[tuple[str, int], ...]


# Legacy name (upper case, without any TRADESTACK_ prefix) -> version 2 setting.
RENAMES: dict[str, str] = {
    "MAX_POSITION_SIZE": "risk.max_position_size_usd",
    "MAX_POSITION_SIZE_USD": "risk.max_position_size_usd",
    "MIN_CONFIDENCE": "risk.min_confidence_threshold",
    "MIN_CONFIDENCE_THRESHOLD": "risk.min_confidence_threshold",
    "DATA_DIR": "home",
    "REDIS_URL": "bus_url",
    "BINANCE_API_KEY": "exchange_api_key",
    "BINANCE_API_SECRET": "exchange_api_secret",
    "SYMBOL": "run.symbol",
    "TIMEFRAME": "run.timeframe",
    "STRATEGY": "run.strategy",
    "INITIAL_BALANCE": "run.starting_cash",
    "STARTING_CASH": "run.starting_cash",
    "FEE_RATE": "paper.fee_rate",
    "TRADING_FEE": "paper.fee_rate",
}

SPLITS: dict[str, Split] = {
    # One backend became the gateway (the API) plus four services.
    "BACKEND_PORT": Split(
        legacy="BACKEND_PORT",
        targets=(
            ("api_port", 0),
            ("services.market_data_port", 1),
            ("services.strategy_port", 2),
            ("services.exec_risk_port", 3),
            ("services.analytics_port", 4),
        ),
    ),
}

# Settings new in version 2, written out with their defaults so that they can be seen.
ADDED: tuple[str, ...] = ("event_bus", "risk.min_confidence_threshold")

# Legacy keys with no successor that are dropped without a warning.
DROPPED: tuple[str, ...] = ("CONFIG_VERSION",)

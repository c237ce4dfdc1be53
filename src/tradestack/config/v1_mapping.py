"""The declared mapping from config version 1 (flat legacy keys) to version 2 (grouped settings).

Version 1 is the flat ``KEY=value`` style of older deployments, in a ``.env`` or
a YAML file without groups. ``tradestack config migrate`` applies this table and
nothing else; a key found nowhere here is reported by name and not carried over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote


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
    "MAX_LEVERAGE": "risk.max_leverage",
    "BINANCE_TESTNET": "ccxt.sandbox",
    # Quantum Trader v3's services: its AI service is our strategy service.
    "AI_SERVICE_PORT": "services.strategy_port",
    "EXEC_RISK_SERVICE_PORT": "services.exec_risk_port",
    "ANALYTICS_OS_SERVICE_PORT": "services.analytics_port",
    "HEALTH_CHECK_INTERVAL_SECONDS": "services.heartbeat_interval_s",
    "HEARTBEAT_TIMEOUT_SECONDS": "services.heartbeat_timeout_s",
}


@dataclass(frozen=True, slots=True)
class Scale:
    """One legacy value multiplied into a setting with another unit."""

    target: str
    factor: int
    note: str


SCALED: dict[str, Scale] = {
    "RISK_PER_TRADE": Scale(
        "risk.risk_per_trade_pct", 100, "a fraction of equity (0.01) becomes a percentage (1)"
    ),
}


@dataclass(frozen=True, slots=True)
class Combine:
    """Several legacy keys (host, port, database, user, password) becoming one URL setting."""

    target: str
    scheme: str
    parts: dict[str, str]  # legacy key -> host | port | database | user | password
    defaults: dict[str, str] = field(default_factory=dict)

    def url(self, values: dict[str, str]) -> str:
        """Build the URL from the parts found (by part name), defaults for the others."""
        part = {**self.defaults, **{k: v for k, v in values.items() if v != ""}}
        user = quote(part.get("user", ""), safe="")
        password = quote(part.get("password", ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return f"{self.scheme}://{credentials}{part['host']}:{part['port']}/{part['database']}"


COMBINED: tuple[Combine, ...] = (
    Combine(
        "bus_url",
        "redis",
        {
            "REDIS_HOST": "host",
            "REDIS_PORT": "port",
            "REDIS_DB": "database",
            "REDIS_PASSWORD": "password",
        },
        {"host": "127.0.0.1", "port": "6379", "database": "0"},
    ),
    Combine(
        "database_url",
        "postgresql+asyncpg",
        {
            "POSTGRES_HOST": "host",
            "POSTGRES_PORT": "port",
            "POSTGRES_DB": "database",
            "POSTGRES_USER": "user",
            "POSTGRES_PASSWORD": "password",
        },
        {"host": "127.0.0.1", "port": "5432", "database": "tradestack"},
    ),
)

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

_FEATURE = "a Quantum Trader subsystem with no counterpart in tradestack"
# Legacy keys with no successor, each reported (and named in the new file) with the reason.
REPORTED: dict[str, str] = {
    "TRADING_ENABLED": "no global switch: start and stop each trader (tradestack trader stop NAME)",
    "MICROSERVICES_MODE": "the shape is the command: tradestack up --services, or tradestack run",
    "HFOS_ENABLED": _FEATURE,
    "PBA_ENABLED": _FEATURE,
    "PAL_ENABLED": _FEATURE,
    "CLM_ENABLED": _FEATURE,
    "SELF_HEALING_ENABLED": "always on: the supervisor restarts a crashed service with back-off",
    "LOG_FORMAT": "logs are plain text lines; there is no JSON log format",
    "PROMETHEUS_ENABLED": "always on: every service serves Prometheus /metrics",
    "METRICS_PORT": "each service serves /metrics on its own port (services.*_port)",
    "GRAFANA_ENABLED": "Grafana is not part of tradestack; point it at the /metrics endpoints",
    "GRAFANA_PORT": "Grafana is not part of tradestack; point it at the /metrics endpoints",
}

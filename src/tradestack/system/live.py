"""What a live (ccxt) trader needs beyond its stages: the venue, executor and reconciliation.

ccxt itself is imported only when a live venue is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tradestack.config.settings import Settings
from tradestack.execution.live_executor import ExecutorSettings
from tradestack.execution.reconciliation import (
    OrphanPolicy,
    OrphanScope,
    ReconciliationSettings,
)
from tradestack.execution.retry import RetryPolicy
from tradestack.execution.venues.live import LiveVenue
from tradestack.traders.spec import TraderSpec

if TYPE_CHECKING:
    from tradestack.traders.live_runner import LiveTraderRunner


def build_live_venue(spec: TraderSpec, settings: Settings) -> LiveVenue:
    """Build the ccxt venue of a ``venue: ccxt`` trader."""
    from tradestack.execution.venues.ccxt import CcxtConfig, build_ccxt_venue

    ccxt = spec.ccxt_settings(settings)
    config = CcxtConfig(
        exchange_id=ccxt.exchange,
        sandbox=ccxt.sandbox,
        api_key=ccxt.api_key or settings.exchange_api_key,
        secret=ccxt.api_secret or settings.exchange_api_secret,
        password=ccxt.api_password,
        market_type=ccxt.market_type,
        api_urls=dict(ccxt.api_urls),
        options=dict(ccxt.options),
        timeout_ms=ccxt.timeout_ms,
    )
    return build_ccxt_venue(config, trader_id=spec.trader_id)


def executor_settings(spec: TraderSpec, settings: Settings) -> ExecutorSettings:
    ccxt = spec.ccxt_settings(settings)
    retry = RetryPolicy(
        attempts=ccxt.read_attempts,
        base_delay_s=ccxt.retry_delay_s,
        max_delay_s=ccxt.retry_max_delay_s,
        rate_limit_delay_s=min(1.0, ccxt.retry_max_delay_s),
    )
    return ExecutorSettings(read_retry=retry, absent_recheck_delay_s=ccxt.retry_delay_s)


def reconciliation_settings(spec: TraderSpec, settings: Settings) -> ReconciliationSettings:
    ccxt = spec.ccxt_settings(settings)
    return ReconciliationSettings(
        orphan_policy=OrphanPolicy(ccxt.orphan_policy),
        orphan_scope=OrphanScope(ccxt.orphan_scope),
        check_balances=ccxt.market_type == "spot",
    )


def build_live_runner(spec: TraderSpec, settings: Settings, **runner: Any) -> LiveTraderRunner:
    """Wrap a live trader's stages (in ``runner['trader']``) in a LiveTraderRunner."""
    from tradestack.traders.live_runner import LiveTraderRunner

    return LiveTraderRunner(
        live_venue=build_live_venue(spec, settings),
        reconciliation=reconciliation_settings(spec, settings),
        executor_settings=executor_settings(spec, settings),
        reconcile_retry_s=spec.ccxt_settings(settings).reconcile_retry_s,
        **runner,
    )

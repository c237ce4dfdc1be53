"""Assemble a TraderContext (strategy, venue, portfolio, risk) from a TraderSpec.

The paper venue is built here; a ``ccxt`` trader gets a QueuedVenue in its
context and a live venue from ``build_live_venue`` for its LiveTraderRunner.
"""

from __future__ import annotations

from tradestack.config.settings import Settings
from tradestack.execution.live_executor import ExecutorSettings
from tradestack.execution.reconciliation import (
    OrphanPolicy,
    OrphanScope,
    ReconciliationSettings,
)
from tradestack.execution.retry import RetryPolicy
from tradestack.execution.venues.live import LiveVenue
from tradestack.execution.venues.paper import PaperConfig, PaperVenue
from tradestack.execution.venues.port import Venue
from tradestack.execution.venues.queued import QueuedVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.account import AccountGuard, AccountLimits
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext
from tradestack.traders.spec import TraderSpec


def quote_asset(symbol: str) -> str:
    return symbol.split("/", 1)[1] if "/" in symbol else "USD"


def account_guard(settings: Settings, account_id: str) -> AccountGuard:
    risk = settings.risk
    return AccountGuard(
        account_id,
        AccountLimits(
            max_exposure_usd=risk.account_max_exposure_usd,
            max_open_positions=risk.account_max_open_positions,
            daily_loss_limit_usd=risk.account_daily_loss_limit_usd,
        ),
    )


def build_context(
    spec: TraderSpec, settings: Settings, guard: AccountGuard | None = None
) -> TraderContext:
    """Build the synchronous core of one trader; raises ConfigError for a bad spec."""
    spec.validate(settings)
    strategy = create_strategy(spec.strategy, spec.params)
    risk = spec.risk_settings(settings)
    paper = spec.paper_settings(settings)
    portfolio = Portfolio(
        spec.trader_id, cash=spec.starting_cash, quote_asset=quote_asset(spec.symbol)
    )
    config = PaperConfig(
        taker_fee_rate=paper.fee_rate,
        maker_fee_rate=paper.maker_fee_rate,
        slippage_bps=paper.slippage_bps,
        slippage_model=paper.slippage_model,
        max_volume_fraction=paper.max_volume_fraction,
        account_type=paper.account_type,
        leverage=paper.leverage,
        hedge_mode=paper.hedge_mode,
    )
    venue: Venue
    if spec.venue == "ccxt":
        venue = QueuedVenue(f"ccxt:{spec.ccxt_settings(settings).exchange}")
    else:
        venue = PaperVenue(
            config=config,
            cash=lambda: portfolio.cash,
            holdings=portfolio.quantity,
            allow_short=strategy.allow_short,
            quote_asset=portfolio.quote_asset,
            equity=lambda: portfolio.equity,
            gross_exposure=portfolio.gross_exposure,
        )
    return TraderContext(
        trader_id=spec.trader_id,
        strategy=strategy,
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(
            max_position_size_usd=risk.max_position_size_usd,
            max_leverage=risk.max_leverage,
            min_confidence=risk.min_confidence_threshold,
            max_open_positions=risk.max_open_positions,
            max_symbol_exposure_pct=risk.max_symbol_exposure_pct,
            risk_per_trade_pct=risk.risk_per_trade_pct,
            daily_loss_limit_usd=risk.daily_loss_limit_usd,
            max_drawdown_pct=risk.max_drawdown_pct,
        ),
        sizing=Sizing(allocation=spec.allocation, lot_size=spec.lot_size, fee_rate=paper.fee_rate),
        account_guard=guard,
    )


def build_live_venue(spec: TraderSpec, settings: Settings) -> LiveVenue:
    """Build the ccxt venue of a ``venue: ccxt`` trader (ccxt is imported only now)."""
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

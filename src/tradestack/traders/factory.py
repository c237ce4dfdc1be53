"""Assemble a TraderContext (strategy, paper venue, portfolio, risk) from a TraderSpec."""

from __future__ import annotations

from tradestack.config.settings import Settings
from tradestack.execution.venues.paper import PaperConfig, PaperVenue
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

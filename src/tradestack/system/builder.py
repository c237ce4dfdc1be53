"""The one builder: every trader, in every mode and shape, is made here from its spec.

``build_trader`` returns the two stages of one trader (no I/O, no bus, no
store); ``build_runner`` wraps them for the async shapes with their explicit
dependencies (store, bus, clock). Backtests (``backtest.engine``), ``tradestack
run``, the exec-risk and strategy services, the benchmarks and the tests all
call these two, so a backtest trades exactly like the paper trader of the same
spec; the differences between modes are the named options of ``system.modes``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from tradestack.bus.port import EventBus
from tradestack.config.settings import PaperSettings, RiskSettings, Settings
from tradestack.execution.venues.paper import PaperConfig, PaperVenue
from tradestack.execution.venues.port import Venue
from tradestack.execution.venues.queued import QueuedVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.account import AccountGuard, AccountLimits
from tradestack.risk.rules import RiskLimits
from tradestack.storage.database import Database
from tradestack.strategy.base import StrategyContext
from tradestack.strategy.registry import create_strategy
from tradestack.system import live
from tradestack.system.modes import Mode
from tradestack.system.stages import StrategyStage
from tradestack.system.trader import Trader
from tradestack.traders.context import TraderContext
from tradestack.traders.journal import Journal
from tradestack.traders.runner import TraderRunner
from tradestack.traders.spec import TraderSpec, merge_group
from tradestack.traders.step import Sizing

Clock = Callable[[], datetime]
NO_LIMIT = RiskLimits(max_position_size_usd=Decimal("Infinity"))
DEFAULT_PAPER = PaperSettings()
DEFAULT_RISK = RiskSettings()


def utc_now() -> datetime:
    return datetime.now(UTC)


def account_guard(settings: Settings, account_id: str) -> AccountGuard:
    """The exposure guard shared by every trader of one account."""
    risk = settings.risk
    return AccountGuard(
        account_id,
        AccountLimits(
            max_exposure_usd=risk.account_max_exposure_usd,
            max_open_positions=risk.account_max_open_positions,
            daily_loss_limit_usd=risk.account_daily_loss_limit_usd,
        ),
    )


def quote_asset(symbol: str) -> str:
    return symbol.split("/", 1)[1] if "/" in symbol else "USD"


def paper_config(paper: PaperSettings) -> PaperConfig:
    return PaperConfig(
        taker_fee_rate=paper.fee_rate,
        maker_fee_rate=paper.maker_fee_rate,
        slippage_bps=paper.slippage_bps,
        slippage_model=paper.slippage_model,
        max_volume_fraction=paper.max_volume_fraction,
        account_type=paper.account_type,
        leverage=paper.leverage,
        hedge_mode=paper.hedge_mode,
    )


def risk_limits(risk: RiskSettings) -> RiskLimits:
    return RiskLimits(
        max_position_size_usd=risk.max_position_size_usd,
        max_leverage=risk.max_leverage,
        min_confidence=risk.min_confidence_threshold,
        max_open_positions=risk.max_open_positions,
        max_symbol_exposure_pct=risk.max_symbol_exposure_pct,
        risk_per_trade_pct=risk.risk_per_trade_pct,
        daily_loss_limit_usd=risk.daily_loss_limit_usd,
        max_drawdown_pct=risk.max_drawdown_pct,
    )


def build_trader(
    spec: TraderSpec,
    settings: Settings | None,
    *,
    mode: Mode,
    guard: AccountGuard | None = None,
) -> Trader:
    """Build one trader's stages from ``spec``; raise ConfigError for a bad spec.

    ``settings`` None uses the default settings groups (a backtest from the
    command line or an optimisation worker: no environment is read).
    """
    if settings is not None:
        spec.validate(settings)
        paper, risk = spec.paper_settings(settings), spec.risk_settings(settings)
    else:
        paper = merge_group(DEFAULT_PAPER, spec.paper, f"trader {spec.trader_id} paper")
        risk = merge_group(DEFAULT_RISK, spec.risk, f"trader {spec.trader_id} risk")
    strategy = create_strategy(spec.strategy, spec.params)
    portfolio = Portfolio(
        spec.trader_id, cash=spec.starting_cash, quote_asset=quote_asset(spec.symbol)
    )
    venue: Venue
    if mode.live_venue:
        exchange = spec.ccxt_settings(settings).exchange if settings is not None else "ccxt"
        venue = QueuedVenue(f"ccxt:{exchange}")
    else:
        venue = PaperVenue(
            config=paper_config(paper),
            cash=lambda: portfolio.cash,
            holdings=portfolio.quantity,
            allow_short=strategy.allow_short,
            quote_asset=portfolio.quote_asset,
            equity=lambda: portfolio.equity,
            gross_exposure=portfolio.gross_exposure,
        )
    execution = TraderContext(
        trader_id=spec.trader_id,
        strategy=strategy,
        portfolio=portfolio,
        venue=venue,
        risk_limits=risk_limits(risk) if mode.apply_risk_limits else NO_LIMIT,
        sizing=Sizing(
            allocation=spec.allocation,
            lot_size=spec.lot_size,
            fee_rate=paper.fee_rate,
            at_fill_price=mode.size_at_fill_price,
        ),
        account_guard=guard if mode.account_guard else None,
    )
    return Trader(spec, mode, execution, StrategyStage(strategy, execution))


def build_strategy_stage(spec: TraderSpec, context: StrategyContext) -> StrategyStage:
    """Build only the strategy half of a trader (the strategy service of the services shape)."""
    return StrategyStage(create_strategy(spec.strategy, spec.params), context)


def build_runner(
    spec: TraderSpec,
    settings: Settings,
    *,
    mode: Mode,
    store: Database,
    bus: EventBus,
    clock: Clock = utc_now,
    guard: AccountGuard | None = None,
    journal: Journal | None = None,
    bus_redelivers: bool = False,
) -> TraderRunner:
    """Build a trader and the runner that feeds it bars, persists and publishes (not started).

    ``journal`` is shared by the traders of one process (one group commit for
    all); a live mode gets a ``LiveTraderRunner``, whose orders are written
    down before they are sent.
    """
    trader = build_trader(spec, settings, mode=mode, guard=guard)
    if mode.live_venue:
        return live.build_live_runner(
            spec,
            settings,
            trader=trader,
            db=store,
            bus=bus,
            clock=clock,
            journal=journal,
            snapshot_every_s=settings.run.equity_snapshot_every_s,
            bus_redelivers=bus_redelivers,
        )
    return TraderRunner(
        trader=trader,
        db=store,
        bus=bus,
        clock=clock,
        journal=journal,
        snapshot_every_s=settings.run.equity_snapshot_every_s,
        bus_redelivers=bus_redelivers,
    )

"""What a backtest run is asked to do: the account, costs and sizing shared by both engines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradestack.strategy.base import ParamValue


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """One run: strategy by name and parameters, starting cash, fee rate and lot size.

    ``warmup_bars`` leading bars only prime the strategy's indicators (walk-forward
    windows use it); no order is placed and no equity is recorded on them.
    """

    strategy: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    cash: Decimal = Decimal(10_000)
    fee_rate: Decimal = Decimal("0.001")
    lot_size: Decimal = Decimal(1)
    warmup_bars: int = 0
    allocation: Decimal = Decimal(1)
    """Share of the equity an all-in entry spends (1: everything, after fees)."""
    paper: Mapping[str, Any] = field(default_factory=dict)
    """Paper venue settings beyond the fee (``slippage_bps``, ``max_volume_fraction``, ...)."""

    def __post_init__(self) -> None:
        if self.cash <= 0:
            raise ValueError(f"cash must be positive, got {self.cash}")
        if not Decimal(0) <= self.fee_rate < Decimal("0.1"):
            raise ValueError(f"fee must be a rate in [0, 0.1), got {self.fee_rate}")
        if self.lot_size <= 0:
            raise ValueError(f"lot size must be positive, got {self.lot_size}")
        if self.warmup_bars < 0:
            raise ValueError(f"warm-up bars must not be negative, got {self.warmup_bars}")

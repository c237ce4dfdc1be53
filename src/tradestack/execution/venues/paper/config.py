"""Costs and account rules of a paper account."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

ZERO = Decimal(0)
ONE = Decimal(1)
BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class PaperConfig:
    """How the paper venue charges and what the account may do.

    ``slippage_model`` "fixed" moves every taker fill ``slippage_bps`` against
    the order; "volume" moves it ``slippage_bps * quantity / bar volume`` (an
    order the size of the whole bar pays the full ``slippage_bps``).
    ``max_volume_fraction`` caps each fill at that share of the bar's volume;
    the rest waits for later bars (a partial fill).
    """

    taker_fee_rate: Decimal = Decimal("0.001")
    maker_fee_rate: Decimal | None = None
    slippage_bps: Decimal = ZERO
    slippage_model: Literal["fixed", "volume"] = "fixed"
    max_volume_fraction: Decimal | None = None
    account_type: Literal["spot", "margin"] = "spot"
    leverage: Decimal = ONE
    hedge_mode: bool = False

    @property
    def maker_rate(self) -> Decimal:
        return self.taker_fee_rate if self.maker_fee_rate is None else self.maker_fee_rate

    def fee(self, notional: Decimal, liquidity: str) -> Decimal:
        rate = self.maker_rate if liquidity == "maker" else self.taker_fee_rate
        return (notional * rate).quantize(Decimal("0.0000000001"))

    def slipped(self, price: Decimal, *, buy: bool, quantity: Decimal, volume: Decimal) -> Decimal:
        """Return a taker fill price moved against the order by the slippage model."""
        if self.slippage_bps == ZERO:
            return price
        bps = self.slippage_bps
        if self.slippage_model == "volume":
            bps = bps * quantity / volume if volume > 0 else bps
        move = price * bps / BPS
        return (price + move if buy else price - move).quantize(Decimal("0.0000000001"))

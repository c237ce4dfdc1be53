"""The modes a trader runs in, and every way they differ, as named options.

A backtest, a paper replay (``tradestack run``) and a live ccxt trader are
built by the same ``system.builder.build_trader``; whatever differs between
them is a field here, never an ``if backtest:`` inside the parts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mode:
    """How one mode builds a trader.

    ``size_at_fill_price``: re-size a working all-in order at the next bar's
    open, where the paper venue fills it (only for venues that fill there).
    ``apply_risk_limits``: take the spec's risk settings (paper, live); a
    backtest measures the strategy alone and runs without limits.
    ``live_venue``: orders queue in the core and a live (ccxt) venue sends them
    after the bar, written down before they leave.
    ``account_guard``: share an account-wide exposure guard between the traders
    of one account (only where several traders run together).
    """

    name: str
    size_at_fill_price: bool
    apply_risk_limits: bool
    live_venue: bool
    account_guard: bool


BACKTEST = Mode(
    "backtest",
    size_at_fill_price=True,
    apply_risk_limits=False,
    live_venue=False,
    account_guard=False,
)
PAPER = Mode(
    "paper",
    size_at_fill_price=True,
    apply_risk_limits=True,
    live_venue=False,
    account_guard=True,
)
LIVE = Mode(
    "live",
    size_at_fill_price=False,
    apply_risk_limits=True,
    live_venue=True,
    account_guard=True,
)


def mode_for_venue(venue: str) -> Mode:
    """The running mode of a stored trader: ``ccxt`` trades live, anything else on paper."""
    return LIVE if venue == "ccxt" else PAPER

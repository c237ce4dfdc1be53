"""``tradestack backtest optimize`` and ``worker``: parameter search, local or in PostgreSQL."""

from __future__ import annotations


def optimize() -> None:
    """Search strategy parameters (grid or Bayesian) with an objective and constraints."""
    raise NotImplementedError


def worker() -> None:
    """Run trials of a study shared in PostgreSQL until it has all its trials."""
    raise NotImplementedError

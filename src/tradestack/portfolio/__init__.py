"""Portfolio accounting: cash, positions, realized and unrealized PnL, exact in Decimal."""

from tradestack.portfolio.ledger import Portfolio

__all__ = ["Portfolio"]

"""Pre-trade risk: per-trader limits, account-wide limits shared by traders, and halts."""

from tradestack.risk.account import AccountGuard, AccountLimits
from tradestack.risk.engine import RiskEngine
from tradestack.risk.rules import RiskDecision, RiskLimits, check_order

__all__ = [
    "AccountGuard",
    "AccountLimits",
    "RiskDecision",
    "RiskEngine",
    "RiskLimits",
    "check_order",
]

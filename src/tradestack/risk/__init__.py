"""Pre-trade risk: rules every order passes before it reaches a venue."""

from tradestack.risk.rules import RiskDecision, RiskLimits, check_order

__all__ = ["RiskDecision", "RiskLimits", "check_order"]

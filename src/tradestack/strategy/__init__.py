"""Strategies: the base class, parameters, built-in strategies and their registry."""

from tradestack.strategy.base import Parameter, Strategy, StrategyContext
from tradestack.strategy.registry import create_strategy, strategy_classes

__all__ = ["Parameter", "Strategy", "StrategyContext", "create_strategy", "strategy_classes"]

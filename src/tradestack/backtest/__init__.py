"""Backtests: event-driven and vectorised engines, metrics, reports, storage, optimisation."""

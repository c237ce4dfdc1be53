"""Traders: one strategy, one venue account, its risk limits and portfolio, isolated per trader."""

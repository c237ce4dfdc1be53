"""Execution: the order state machine, the order manager, and venues (paper, exchanges)."""

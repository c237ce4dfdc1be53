"""Legacy import: orders, trades, balances, positions and signals from an older system."""

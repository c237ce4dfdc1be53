"""Trading analytics: performance figures per trader and per strategy, and stored windows."""

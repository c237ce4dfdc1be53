"""The services shape: each role as its own process, a supervisor, health, metrics, drain."""

SERVICE_NAMES = ("market-data", "strategy", "exec-risk", "analytics", "gateway")

"""The paper venue: a simulated exchange with the same rules in backtests and paper trading."""

from tradestack.execution.venues.paper.config import PaperConfig
from tradestack.execution.venues.paper.venue import PaperVenue

__all__ = ["PaperConfig", "PaperVenue"]

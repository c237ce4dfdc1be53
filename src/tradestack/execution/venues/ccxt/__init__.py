"""The ccxt venue: one adapter for many exchanges, the only place that imports ccxt for trading."""

from tradestack.execution.venues.ccxt.config import CcxtConfig
from tradestack.execution.venues.ccxt.exchanges import EXCHANGES, ExchangeNotes, notes_for
from tradestack.execution.venues.ccxt.execution import CcxtVenue
from tradestack.execution.venues.ccxt.factories import build_ccxt_venue, create_exchange

__all__ = [
    "EXCHANGES",
    "CcxtConfig",
    "CcxtVenue",
    "ExchangeNotes",
    "build_ccxt_venue",
    "create_exchange",
    "notes_for",
]

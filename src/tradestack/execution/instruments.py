"""The instrument registry: which grid each symbol trades on, for every mode.

Live venues describe their own markets (``add_ccxt_markets`` / ``load_ccxt``
read ccxt's ``markets``); paper trading and backtests take the ``instruments``
settings, and a symbol nobody described gets the default grid (8-decimal
ticks, the configured lot size). The builder asks ``instrument(symbol)`` once
per trader; nothing on the hot path looks anything up here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from tradestack.config.settings import Settings
from tradestack.domain.instruments import DEFAULT_INCREMENT, Instrument


class InstrumentRegistry:
    """Instruments by symbol, with a default for symbols nobody described."""

    def __init__(
        self,
        instruments: Iterable[Instrument] = (),
        *,
        tick_size: Decimal = DEFAULT_INCREMENT,
        lot_size: Decimal = DEFAULT_INCREMENT,
    ) -> None:
        self._by_symbol: dict[str, Instrument] = {i.symbol: i for i in instruments}
        self.tick_size = tick_size
        self.lot_size = lot_size

    @classmethod
    def from_settings(cls, settings: Settings) -> InstrumentRegistry:
        """Paper and backtest instruments: the ``instruments`` settings, then the defaults."""
        lot = settings.run.lot_size
        registry = cls(lot_size=lot)
        for symbol, described in settings.instruments.items():
            registry.add(
                Instrument.of(
                    symbol,
                    tick_size=described.tick_size,
                    lot_size=described.lot_size or lot,
                    min_notional=described.min_notional,
                    min_quantity=described.min_quantity,
                )
            )
        return registry

    def add(self, instrument: Instrument) -> None:
        self._by_symbol[instrument.symbol] = instrument

    def add_ccxt_markets(
        self, markets: Mapping[str, Mapping[str, Any]], precision_mode: int = 4
    ) -> None:
        """Add a ccxt exchange's markets (``exchange.markets``, ``exchange.precisionMode``)."""
        from tradestack.execution.venues.ccxt.instruments import instruments_from_markets

        self._by_symbol.update(instruments_from_markets(markets, precision_mode))

    async def load_ccxt(self, exchange: Any) -> None:
        """Load a live ccxt exchange's markets and add them."""
        from tradestack.execution.venues.ccxt.instruments import load_instruments

        self._by_symbol.update(await load_instruments(exchange))

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_symbol

    def described(self) -> list[Instrument]:
        return list(self._by_symbol.values())

    def instrument(self, symbol: str, *, lot_size: Decimal | None = None) -> Instrument:
        """The instrument of ``symbol``; an undescribed one gets the default grid.

        ``lot_size`` overrides the default lot of an undescribed symbol (a
        backtest's configured lot), never a described one's.
        """
        known = self._by_symbol.get(symbol)
        if known is not None:
            return known
        return Instrument.of(symbol, tick_size=self.tick_size, lot_size=lot_size or self.lot_size)

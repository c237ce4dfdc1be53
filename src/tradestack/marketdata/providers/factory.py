"""The one place that builds a market-data provider from the settings."""

from __future__ import annotations

from tradestack.config.data_settings import DataSettings
from tradestack.errors import ConfigError, ProviderError
from tradestack.marketdata.calendars import TradingCalendar, parse_calendar
from tradestack.marketdata.keypool import KeyPool
from tradestack.marketdata.providers.port import MarketDataProvider
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.marketdata.synthetic import SyntheticMarket


def key_pool(settings: DataSettings) -> KeyPool | None:
    """The configured API keys as a pool, or None when there are none."""
    if not settings.api_keys:
        return None
    groups = {
        name: [k.get_secret_value() for k in keys] for name, keys in settings.api_keys.items()
    }
    return KeyPool(groups, default_backoff_s=settings.key_backoff_s)


def build_provider(
    settings: DataSettings,
    kind: str | None = None,
    *,
    seed: int = 7,
    exchange: str | None = None,
) -> MarketDataProvider:
    """Return the provider named by ``kind`` (default ``settings.provider``).

    Raises
    ------
    ConfigError
        The kind is unknown or the exchange is not a ccxt exchange id.
    """
    kind = kind or settings.provider
    if kind == "synthetic":
        return SyntheticProvider(SyntheticMarket(seed=seed), interval_s=settings.live_poll_s)
    if kind == "ccxt":
        # Imported here: ccxt takes a noticeable time to load and most runs never need it.
        from tradestack.marketdata.providers.ccxt_provider import CcxtProvider

        try:
            return CcxtProvider(
                exchange or settings.exchange,
                keys=key_pool(settings),
                key_group=settings.key_group,
                api_url=settings.exchange_api_url,
                options=settings.exchange_options,
                rate_limit_ms=settings.rate_limit_ms,
                page_limit=settings.page_limit,
                poll_interval_s=settings.live_poll_s,
            )
        except ProviderError as error:
            raise ConfigError(str(error)) from None
    raise ConfigError(f"unknown data provider {kind!r}: use synthetic or ccxt")


def calendar_for(settings: DataSettings, symbol: str, spec: str | None = None) -> TradingCalendar:
    """The trading calendar of ``symbol``: ``spec`` if given, else the configured one."""
    try:
        return parse_calendar(spec or settings.calendar_spec(symbol))
    except ValueError as error:
        raise ConfigError(str(error)) from None

"""Timeframes such as ``1m`` or ``4h``: parsing, bar alignment and symbol path encoding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A bar length. ``Timeframe.parse("15m").seconds == 900``."""

    label: str
    seconds: int

    @classmethod
    def parse(cls, label: str) -> Timeframe:
        """Parse ``<count><unit>`` with unit s, m, h, d or w; raise ValueError otherwise."""
        text = label.strip()
        count, unit = text[:-1], text[-1:]
        if unit not in _UNIT_SECONDS or not count.isdigit() or int(count) <= 0:
            raise ValueError(
                f"invalid timeframe {label!r}: expected a positive count and a unit "
                "s, m, h, d or w (for example 1m, 15m, 1h, 1d)"
            )
        return cls(label=text, seconds=int(count) * _UNIT_SECONDS[unit])

    @property
    def delta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def floor(self, ts: datetime) -> datetime:
        """Return the open time of the bar that contains ``ts`` (UTC, epoch-aligned)."""
        epoch = int(ts.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.seconds, tz=UTC)

    def is_aligned(self, ts: datetime) -> bool:
        return ts.timestamp() % self.seconds == 0

    def __str__(self) -> str:
        return self.label


def symbol_to_path(symbol: str) -> str:
    """Encode ``BTC/USDT`` as ``BTC-USDT`` for use in URL paths."""
    return symbol.replace("/", "-")


def symbol_from_path(text: str) -> str:
    """Decode ``BTC-USDT`` (or ``BTC_USDT``) from a URL path back to ``BTC/USDT``."""
    if "/" in text:
        return text
    for separator in ("-", "_"):
        if separator in text:
            base, _, quote = text.partition(separator)
            return f"{base}/{quote}"
    return text

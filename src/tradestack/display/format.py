"""Number and time formatting shared by the CLI, the API's display fields and the dashboard.

The dashboard's ``static/js/format.js`` follows the same rules (a test runs
both over the same cases). Money has two decimals, percentages a fixed two,
prices and quantities the instrument's precision where it is known,
durations read like ``402 d 3 h``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tradestack.domain.timeframes import Timeframe

DASH = "–"
MONEY_PLACES = 2
PERCENT_PLACES = 2
QUANTITY_PLACES = 8

Number = Decimal | float | int | str | None


def _decimal(value: Number) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def fixed(value: Number, places: int, *, sign: bool = False) -> str:
    """``value`` with exactly ``places`` decimals and thousands separators."""
    number = _decimal(value)
    if number is None:
        return DASH
    quantised = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if quantised == 0:
        quantised = abs(quantised)  # no "-0.00"
    text = f"{quantised:,.{places}f}"
    return f"+{text}" if sign and quantised > 0 else text


def money(value: Number, *, sign: bool = False) -> str:
    """An amount of the quote currency: ``9,081.58``."""
    return fixed(value, MONEY_PLACES, sign=sign)


def percent(value: Number, *, sign: bool = False) -> str:
    """A percentage (already times 100) with two decimals: ``-9.18 %``."""
    text = fixed(value, PERCENT_PLACES, sign=sign)
    return text if text == DASH else f"{text} %"


def price_places(value: Number) -> int:
    """Decimals for a price without a known instrument: more for small prices."""
    number = _decimal(value)
    if number is None:
        return MONEY_PLACES
    size = abs(number)
    if size >= 1000:
        return 2
    if size >= 1:
        return 4
    return 8


def price(value: Number, precision: int | None = None) -> str:
    """A price with the instrument's ``precision`` (decimals) when known."""
    return fixed(value, price_places(value) if precision is None else precision)


def quantity(value: Number, precision: int | None = None) -> str:
    """A quantity to the instrument's precision, trailing zeros dropped: ``0.0105``."""
    number = _decimal(value)
    if number is None:
        return DASH
    text = fixed(number, QUANTITY_PLACES if precision is None else precision)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_UNITS = (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1))


def duration(seconds: float | timedelta | None) -> str:
    """A duration by its two largest units: ``402 d 3 h``, ``5 min 3 s``, ``42 s``."""
    if seconds is None:
        return DASH
    total = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
    if total != total:  # NaN
        return DASH
    left = round(abs(total))
    parts: list[str] = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count or parts:
            parts.append(f"{count} {unit}")
        if len(parts) == 2:
            break
    parts = [p for p in parts if not p.startswith("0 ")] or ["0 s"]
    return ("-" if total < 0 else "") + " ".join(parts)


def timeframe(label: str) -> str:
    """A timeframe as people read it: ``1 min``, ``15 min``, ``1 h``, ``1 d``."""
    seconds = Timeframe.parse(label).seconds
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def timestamp(value: datetime | None) -> str:
    """UTC to the second: ``2026-12-03 10:37:10``."""
    if value is None:
        return DASH
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


_MONEY_KEYS = ("equity", "pnl", "fees", "cash", "expectancy", "max_drawdown", "balance")


def metric(key: str, value: object) -> str:
    """A named figure by what its name says it is: ``*_s`` a duration, ``*_pct`` a percentage."""
    if value is None:
        return DASH
    if isinstance(value, timedelta) or key.endswith("_s") or key.endswith("duration"):
        return duration(value)  # type: ignore[arg-type]
    if key.endswith("_pct") or key.endswith("_percent"):
        return percent(value)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        if any(part in key for part in _MONEY_KEYS):
            return money(value)
        return fixed(value, 2)
    return str(value)

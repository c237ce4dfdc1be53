"""Answers quote numbers the tools returned: find the figures in an answer that no tool gave.

A figure counts as grounded when some number in the tool results (or the
question) equals it, or rounds to it at the answer's precision. Small counts
(0 to 10) and years are allowed without a source: "2 traders", "in 2026".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> list[str]:
    return [m.group(0).replace(",", "").lstrip("+") for m in _NUMBER.finditer(text)]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def ungrounded(answer: str, sources: Iterable[str]) -> list[str]:
    """The numbers in ``answer`` that appear in none of ``sources`` (exactly or rounded)."""
    known: list[Decimal] = []
    for source in sources:
        known.extend(d for d in map(_decimal, numbers_in(source)) if d is not None)
    missing = []
    for text in numbers_in(answer):
        value = _decimal(text)
        if value is None:
            continue
        if value == value.to_integral_value() and (0 <= value <= 10 or 1990 <= value <= 2100):
            continue
        quantum = Decimal(1).scaleb(_exponent(value))
        if not any(_matches(k, value, quantum) for k in known):
            missing.append(text)
    return missing


def _matches(known: Decimal, value: Decimal, quantum: Decimal) -> bool:
    if known == value:
        return True
    if (known < 0) != (value < 0):
        return False
    try:
        return abs(known).quantize(quantum, rounding=ROUND_HALF_UP) == abs(value)
    except InvalidOperation:
        return False

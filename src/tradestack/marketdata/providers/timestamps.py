"""Vectorised timestamp parsing for file imports: ISO 8601, epoch numbers, zone handling.

Naive timestamps are read in the file's time zone (UTC unless told otherwise),
timestamps with an offset are honoured, epoch numbers are seconds,
milliseconds, microseconds or nanoseconds by magnitude. Everything comes out
as int64 epoch seconds in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_NS = 1_000_000_000
_OFFSET_AT_END = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"
# Epoch numbers above these magnitudes are taken as ns, us, ms; below as seconds.
_EPOCH_UNITS = ((1e17, 1), (1e14, 1_000), (1e11, 1_000_000))


@dataclass(frozen=True, slots=True)
class ParsedTimes:
    """Epoch seconds per row; ``bad`` marks rows that did not parse, ``fractional`` sub-second."""

    seconds: np.ndarray
    bad: np.ndarray
    fractional: np.ndarray


def parse_times(values: pd.Series, timezone: str = "UTC") -> ParsedTimes:
    """Parse a column of timestamps; see the module docstring for the accepted forms.

    Raises
    ------
    ValueError
        ``timezone`` is not a known IANA zone name.
    """
    _check_zone(timezone)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        nanos = _datetimes_to_ns(values, timezone)
    elif pd.api.types.is_numeric_dtype(values.dtype):
        nanos = _epoch_to_ns(values.to_numpy(dtype=np.float64, na_value=np.nan))
    else:
        nanos = _strings_to_ns(values.astype("string").str.strip(), timezone)
    bad = nanos == np.iinfo(np.int64).min
    fractional = ~bad & (nanos % _NS != 0)
    seconds = np.where(bad, 0, nanos // _NS)
    return ParsedTimes(seconds.astype(np.int64), bad, fractional)


def _check_zone(timezone: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(timezone)
    except Exception as error:  # pandas raises several types for an unknown zone
        raise ValueError(f"unknown time zone {timezone!r}: {error}") from None


def _strings_to_ns(text: pd.Series, timezone: str) -> np.ndarray:
    out = np.full(len(text), np.iinfo(np.int64).min, dtype=np.int64)
    present = text.notna() & (text != "")
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    is_number = numbers.notna().to_numpy()
    if is_number.any():
        out[is_number] = _epoch_to_ns(numbers.to_numpy(dtype=np.float64, na_value=np.nan))[
            is_number
        ]
    rest = present.to_numpy() & ~is_number
    if not rest.any():
        return out
    strings = text[rest]
    if timezone == "UTC":
        parsed = pd.to_datetime(strings, format="ISO8601", utc=True, errors="coerce")
        out[rest] = _aware_to_ns(parsed)
        return out
    has_offset = strings.str.contains(_OFFSET_AT_END, regex=True).fillna(False).to_numpy()
    chunk = np.full(len(strings), np.iinfo(np.int64).min, dtype=np.int64)
    if has_offset.any():
        aware = pd.to_datetime(strings[has_offset], format="ISO8601", utc=True, errors="coerce")
        chunk[has_offset] = _aware_to_ns(aware)
    if (~has_offset).any():
        naive = pd.to_datetime(strings[~has_offset], format="ISO8601", errors="coerce")
        chunk[~has_offset] = _localised_to_ns(naive, timezone)
    out[rest] = chunk
    return out


def _datetimes_to_ns(values: pd.Series, timezone: str) -> np.ndarray:
    if getattr(values.dt, "tz", None) is not None:
        return _aware_to_ns(values)
    return _localised_to_ns(values, timezone)


def _localised_to_ns(naive: pd.Series, timezone: str) -> np.ndarray:
    """Read naive wall-clock times in ``timezone``; times that do not exist or repeat are bad."""
    if timezone == "UTC":
        return _aware_to_ns(naive.dt.tz_localize("UTC"))
    aware = naive.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    return _aware_to_ns(aware)


def _aware_to_ns(aware: pd.Series) -> np.ndarray:
    naive_utc = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive_utc.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _epoch_to_ns(numbers: np.ndarray) -> np.ndarray:
    out = np.full(len(numbers), np.iinfo(np.int64).min, dtype=np.int64)
    finite = np.isfinite(numbers)
    magnitude = np.abs(np.where(finite, numbers, 0.0))
    scale = np.full(len(numbers), float(_NS))
    for threshold, factor in reversed(_EPOCH_UNITS):
        scale[magnitude > threshold] = factor
    with np.errstate(invalid="ignore", over="ignore"):
        out[finite] = np.round(numbers[finite] * scale[finite]).astype(np.int64)
    return out

"""Column-wise conversion between driver values and typed values, for bulk reads and writes.

SQLAlchemy converts one value at a time through Python calls; backups, restores
and moves touch millions of rows, where converting a whole column with C-level
``map`` is several times faster. The (dialect, type) pairs of this project's
schema have a fast path; any other column, or a column holding values of an
unexpected driver type, goes through SQLAlchemy's own processor, so the result
is always what SQLAlchemy itself would produce.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, methodcaller
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.types import TypeDecorator

from tradestack.storage.types import Money, UtcDateTime

logger = logging.getLogger(__name__)

Converter = Callable[[Sequence[Any]], Sequence[Any]]

_as_utc_text = "{}+00:00".format
_naive = methodcaller("replace", tzinfo=None)
_sqlite_text = methodcaller("isoformat", " ", "microseconds")
_tzinfo = attrgetter("tzinfo")


def _only(values: Sequence[Any], kind: type) -> bool:
    return set(map(type, values)) == {kind}


def _utc_aware(values: Sequence[Any]) -> bool:
    return _only(values, datetime) and set(map(_tzinfo, values)) == {UTC}


def _sqlite_times_in(values: Sequence[Any]) -> list[datetime] | None:
    if not _only(values, str):
        return None
    try:
        return list(map(datetime.fromisoformat, map(_as_utc_text, values)))
    except ValueError:
        return None


def _sqlite_times_out(values: Sequence[Any]) -> list[str] | None:
    return list(map(_sqlite_text, map(_naive, values))) if _utc_aware(values) else None


def _decimals_in(values: Sequence[Any]) -> list[Decimal] | None:
    return list(map(Decimal, values)) if _only(values, str) else None


def _decimals_out(values: Sequence[Any]) -> list[str] | None:
    return list(map(format, values, repeat("f"))) if _only(values, Decimal) else None


def _same_if(check: Callable[[Sequence[Any]], bool]) -> Callable[[Sequence[Any]], Any]:
    return lambda values: values if check(values) else None


_FAST_RESULTS: dict[tuple[str, type], Callable[[Sequence[Any]], Any]] = {
    ("sqlite", UtcDateTime): _sqlite_times_in,
    ("sqlite", Money): _decimals_in,
    ("postgresql", UtcDateTime): _same_if(_utc_aware),
    ("postgresql", Money): _same_if(lambda values: _only(values, Decimal)),
}
_FAST_BINDS: dict[tuple[str, type], Callable[[Sequence[Any]], Any]] = {
    ("sqlite", UtcDateTime): _sqlite_times_out,
    ("sqlite", Money): _decimals_out,
    ("postgresql", UtcDateTime): _same_if(_utc_aware),
    ("postgresql", Money): _same_if(lambda values: _only(values, Decimal)),
}


def fast_result_columns(table: Table, dialect: Dialect) -> list[bool]:
    """Tell, per column, whether to read it raw and convert it here (else SQLAlchemy types it)."""
    return [(dialect.name, type(column.type)) in _FAST_RESULTS for column in table.columns]


def result_converters(table: Table, dialect: Dialect) -> list[Converter | None]:
    """Per column read raw (see ``fast_result_columns``), turn driver values into typed ones."""
    out: list[Converter | None] = []
    for column, raw in zip(table.columns, fast_result_columns(table, dialect), strict=True):
        if not raw:
            out.append(None)
            continue
        column_type = column.type
        assert isinstance(column_type, TypeDecorator)
        impl = _impl_result_processor(column_type, dialect)

        def slow(value: Any, impl: Any = impl, column_type: Any = column_type) -> Any:
            return column_type.process_result_value(impl(value) if impl else value, dialect)

        out.append(_converter(_FAST_RESULTS[(dialect.name, type(column_type))], slow))
    return out


def _impl_result_processor(column_type: TypeDecorator[Any], dialect: Dialect) -> Any:
    try:
        return column_type.impl_instance.dialect_impl(dialect).result_processor(dialect, None)
    except Exception as error:  # a driver type that needs the column's type code
        logger.debug("no plain result processor for %s: %r", column_type, error)
        return None


def bind_converters(table: Table, dialect: Dialect) -> list[Converter | None]:
    """Per column, a function turning typed values into what the driver is given."""
    out: list[Converter | None] = []
    for column in table.columns:
        slow = column.type.dialect_impl(dialect).bind_processor(dialect)
        fast = _FAST_BINDS.get((dialect.name, type(column.type)))
        out.append(_converter(fast, slow))
    return out


def _converter(
    fast: Callable[[Sequence[Any]], Any] | None, slow: Callable[[Any], Any] | None
) -> Converter | None:
    if fast is None and slow is None:
        return None

    def convert(values: Sequence[Any]) -> Sequence[Any]:
        if fast is not None:
            present = [value for value in values if value is not None]
            converted = fast(present) if present else present
            if converted is not None:
                if len(present) == len(values):
                    return converted  # type: ignore[no-any-return]
                remaining = iter(converted)
                return [None if value is None else next(remaining) for value in values]
        return list(map(slow, values)) if slow is not None else values

    return convert


def convert_rows(
    rows: Sequence[Sequence[Any]], converters: Sequence[Converter | None]
) -> list[tuple[Any, ...]]:
    """Apply per-column converters to a batch of rows; return the rows as tuples."""
    if not rows:
        return []
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for position, convert in enumerate(converters):
        if convert is not None:
            columns[position] = convert(columns[position])
    return list(zip(*columns, strict=True))

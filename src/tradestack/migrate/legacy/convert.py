"""Turn one legacy row into tradestack column values by its table's rules, or say why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String

from tradestack.migrate.legacy.mapping import ColumnRule, LegacyMapping, TableMapping
from tradestack.storage.tables import metadata


class RowRejected(Exception):
    """A legacy row that cannot be imported; the message is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class MappedRow:
    number: int
    original_id: str
    values: dict[str, Any]


def map_row(
    number: int, raw: dict[str, Any], table: TableMapping, mapping: LegacyMapping
) -> MappedRow:
    """Apply every rule of ``table`` to ``raw`` (column -> value); RowRejected if one fails."""
    row = {str(key).strip().lower(): value for key, value in raw.items()}
    values = {rule.column: _value(rule, row, mapping) for rule in table.rules}
    _fill_text_defaults(table.table, values)
    # Each part of the original id: the source column, else the mapped value of that name
    # (so a key made of trader and asset still works when the trader came from a default).
    parts = [
        _text(row.get(column.lower())) or _text(values.get(column)) for column in table.original_id
    ]
    if not all(parts):
        raise RowRejected(f"no original id in {'/'.join(table.original_id)}")
    reason = _check(table.table, values)
    if reason:
        raise RowRejected(reason)
    return MappedRow(number=number, original_id=":".join(parts), values=values)


def _fill_text_defaults(table: str, values: dict[str, Any]) -> None:
    """Give columns an older system never had their stored default (``position_side``: BOTH).

    Key columns must be known here, before the insert, to record where a row went.
    """
    for column in metadata.tables[table].columns:
        default = getattr(column.server_default, "arg", None)
        if column.name not in values and isinstance(default, str):
            values[column.name] = default


def source_value(raw: dict[str, Any], rule: ColumnRule) -> str:
    """The raw text a rule reads (for counting source rows by status before any mapping)."""
    row = {str(key).strip().lower(): value for key, value in raw.items()}
    return next((_text(row.get(s.lower())) for s in rule.sources if _text(row.get(s.lower()))), "")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _value(rule: ColumnRule, row: dict[str, Any], mapping: LegacyMapping) -> Any:
    value: Any = next((row[s.lower()] for s in rule.sources if _text(row.get(s.lower()))), None)
    if value is None:
        if rule.default is not None:
            value = str(rule.default).format(default_trader=mapping.default_trader)
        elif rule.optional:
            return None
        else:
            raise RowRejected(f"{rule.column}: no value in {'/'.join(rule.sources) or 'the row'}")
    if rule.value_map is not None:
        key = _text(value).lower()
        if key in rule.value_map:
            value = rule.value_map[key]
        elif _text(value) not in {str(v) for v in rule.value_map.values()}:
            raise RowRejected(f"{rule.column}: {value!r} has no mapping")
    if rule.template is not None:
        value = rule.template.format(_text(value))
    converted = _convert(rule, value, mapping)
    if rule.negate_when is not None:
        column, negatives = rule.negate_when
        if _text(row.get(column.lower())).lower() in negatives:
            converted = -converted
    return converted


def _convert(rule: ColumnRule, value: Any, mapping: LegacyMapping) -> Any:
    try:
        if rule.kind == "text":
            return _text(value)
        if rule.kind == "timestamp":
            return _timestamp(value, mapping)
        if rule.kind == "int":
            return int(_text(value))
        if rule.kind == "float":
            number = float(_text(value))
            return number * float(rule.scale) if rule.scale else number
        number = Decimal(_text(value))
        if not number.is_finite():
            raise InvalidOperation
        return number * Decimal(rule.scale) if rule.scale else number
    except (ValueError, InvalidOperation, OverflowError):
        raise RowRejected(f"{rule.column}: {value!r} is not a valid {rule.kind}") from None


def _timestamp(value: Any, mapping: LegacyMapping) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value)
        try:
            number = float(text)
        except ValueError:
            moment = datetime.fromisoformat(text)
        else:
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=mapping.timezone)
    return moment.astimezone(UTC)


_POSITIVE = {"orders": ("quantity",), "fills": ("quantity", "price")}
_NOT_NEGATIVE = {
    "orders": ("filled_quantity", "price", "average_fill_price"),
    "fills": ("fee",),
    "balances": ("free", "locked"),
    "positions": ("average_price", "fees_paid"),
}


def _check(table: str, values: dict[str, Any]) -> str | None:
    for column in _POSITIVE.get(table, ()):
        if values.get(column) is not None and values[column] <= 0:
            return f"{column} {values[column]} is not positive"
    for column in _NOT_NEGATIVE.get(table, ()):
        if values.get(column) is not None and values[column] < 0:
            return f"{column} {values[column]} is negative"
    if table == "orders" and values.get("filled_quantity", 0) > values.get("quantity", 0):
        return "filled_quantity is above quantity"
    if table == "signals" and not 0 <= values.get("confidence", 0) <= 1:
        return f"confidence {values['confidence']} is outside 0..1"
    for column in metadata.tables[table].columns:
        value = values.get(column.name)
        length = column.type.length if isinstance(column.type, String) else None
        if isinstance(value, str) and length and len(value) > length:
            return f"{column.name} is longer than {length} characters"
    return None

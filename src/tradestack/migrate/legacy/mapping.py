"""The declarative field mapping of a legacy import, read from YAML and checked before any row.

A mapping names, per tradestack table, the legacy source (CSV file or table),
the column that is the row's original id, and one rule per tradestack column:
where its value comes from (``from``, first non-empty of a list), a value map
(``map``: ``market`` -> ``MARKET``), a text template (``format``), a type
(``text``, ``decimal``, ``float``, ``int``, ``timestamp``), a unit factor
(``scale``), a sign taken from another column (``negate_when``), a ``default``
and whether it may be empty (``optional``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from tradestack.errors import ConfigError
from tradestack.storage.tables import metadata

TYPES = ("text", "decimal", "float", "int", "timestamp")
TARGET_TABLES = ("orders", "fills", "balances", "positions", "signals")
_RULE_KEYS = {"from", "map", "format", "type", "scale", "negate_when", "default", "optional"}


@dataclass(frozen=True, slots=True)
class ColumnRule:
    column: str
    sources: tuple[str, ...] = ()
    value_map: dict[str, Any] | None = None
    template: str | None = None
    kind: str = "text"
    scale: str | None = None
    negate_when: tuple[str, tuple[str, ...]] | None = None
    default: Any = None
    optional: bool = False


@dataclass(frozen=True, slots=True)
class TableMapping:
    table: str
    source: str
    original_id: tuple[str, ...]
    rules: tuple[ColumnRule, ...]


@dataclass(frozen=True, slots=True)
class LegacyMapping:
    default_trader: str
    timezone: ZoneInfo
    tables: dict[str, TableMapping] = field(default_factory=dict)


def default_mapping_text() -> str:
    return resources.files("tradestack.migrate.legacy").joinpath("default_mapping.yaml").read_text()


def load_mapping(path: Path | None = None, *, default_trader: str | None = None) -> LegacyMapping:
    """Read and check a mapping (None: the shipped one); ConfigError names the bad key."""
    source = str(path) if path else "the default legacy mapping"
    try:
        text = path.read_text(encoding="utf-8") if path else default_mapping_text()
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {source}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise ConfigError(f"{source}: expected a mapping with a 'tables' section")
    try:
        zone = ZoneInfo(str(data.get("timezone", "UTC")))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: unknown timezone {data.get('timezone')!r}") from None
    specs = {name: spec for name, spec in data["tables"].items() if spec is not None}
    tables = {name: _table(name, spec, source) for name, spec in specs.items()}
    trader = default_trader or str(data.get("default_trader", "default"))
    return LegacyMapping(default_trader=trader, timezone=zone, tables=tables)


def _table(name: str, spec: Any, source: str) -> TableMapping:
    if name not in TARGET_TABLES:
        raise ConfigError(f"{source}: table {name} cannot be imported ({', '.join(TARGET_TABLES)})")
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise ConfigError(f"{source}: tables.{name} needs 'source', 'original_id' and 'columns'")
    known = set(metadata.tables[name].columns.keys())
    rules = []
    for column, rule in spec["columns"].items():
        if column not in known:
            raise ConfigError(f"{source}: tables.{name}.columns.{column} is not a column of {name}")
        rules.append(_rule(f"{source}: tables.{name}.columns.{column}", column, rule or {}))
    original = spec.get("original_id")
    if not original:
        raise ConfigError(f"{source}: tables.{name}.original_id is missing")
    return TableMapping(
        table=name,
        source=str(spec.get("source", name)),
        original_id=tuple(original) if isinstance(original, list) else (str(original),),
        rules=tuple(rules),
    )


def _rule(where: str, column: str, spec: dict[str, Any]) -> ColumnRule:
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown rule key {sorted(unknown)[0]}")
    kind = str(spec.get("type", "text"))
    if kind not in TYPES:
        raise ConfigError(f"{where}: type {kind!r} is not one of {', '.join(TYPES)}")
    sources = spec.get("from", ())
    negate = spec.get("negate_when")
    if negate is not None and not (isinstance(negate, dict) and "column" in negate):
        raise ConfigError(f"{where}: negate_when needs 'column' and 'values'")
    return ColumnRule(
        column=column,
        sources=tuple(sources) if isinstance(sources, list) else ((sources,) if sources else ()),
        value_map={str(k).lower(): v for k, v in spec["map"].items()} if spec.get("map") else None,
        template=spec.get("format"),
        kind=kind,
        scale=str(spec["scale"]) if spec.get("scale") is not None else None,
        negate_when=(
            (str(negate["column"]), tuple(str(v).lower() for v in negate.get("values", ())))
            if negate
            else None
        ),
        default=spec.get("default"),
        optional=bool(spec.get("optional", False)),
    )

"""``tradestack config migrate``: rewrite a version 1 YAML or ``.env`` file as version 2.

Every key goes through the declared table in ``v1_mapping`` (renamed, split,
kept, dropped) or is reported by name as unknown; values are carried over as
written, so secrets stay exactly as they were. The result is validated before
anything is written, the old file is kept as ``<name>.v1.bak``, and the diff
shown to the user has secrets masked.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tradestack.config import v1_mapping
from tradestack.config.loader import validation_message
from tradestack.config.settings import CONFIG_VERSION, Settings
from tradestack.errors import ConfigError

ENV_PREFIX = "TRADESTACK_"
_SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_KEY_VALUE = re.compile(r"^(\s*[^=:#\s]+)(\s*[=:]\s*)\S.*$")
# Precedence when two keys land on one setting: an exact name beats a rename beats a split.
_RANK = {"kept": 4, "moved": 3, "renamed": 2, "scaled": 2, "split": 1, "combined": 1, "added": 0}


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    raw: str
    value: Any


@dataclass(frozen=True, slots=True)
class Change:
    old_key: str
    new_key: str
    action: str
    note: str = ""


@dataclass
class ConfigMigration:
    """A planned rewrite of one file: what changes, and the new text."""

    path: Path
    kind: str
    from_version: int
    to_version: int
    old_text: str
    new_text: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        return [change.old_key for change in self.changes if change.action == "unknown"]

    def diff(self) -> list[str]:
        """Return the unified diff of old and new text, secrets masked."""
        return list(
            difflib.unified_diff(
                [mask_line(line) for line in self.old_text.splitlines()],
                [mask_line(line) for line in self.new_text.splitlines()],
                fromfile=f"{self.path} (version {self.from_version})",
                tofile=f"{self.path} (version {self.to_version})",
                lineterm="",
            )
        )


def mask_line(line: str) -> str:
    """Hide the value of a secret-looking key and any password inside a URL."""
    line = _URL_PASSWORD.sub(r"\1***@", line)
    match = _KEY_VALUE.match(line)
    if match and any(word in match.group(1).upper() for word in _SECRET_WORDS):
        return f"{match.group(1)}{match.group(2)}***"
    return line


def plan_migration(
    path: Path, *, from_version: int | None = None, to_version: int = CONFIG_VERSION
) -> ConfigMigration:
    """Read ``path`` and work out its version 2 form; ConfigError when that is not possible."""
    try:
        old_text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    kind = "env" if path.name.startswith(".env") or path.suffix == ".env" else "yaml"
    entries = _read_env(old_text, path) if kind == "env" else _read_yaml(old_text, path)
    found = from_version or _version_of(entries)
    if found == CONFIG_VERSION and from_version is None:
        raise ConfigError(f"{path} is already at config version {found}; nothing to migrate")
    if (found, to_version) != (1, CONFIG_VERSION):
        raise ConfigError(
            f"cannot migrate {path} from config version {found} to {to_version}: "
            f"this release migrates version 1 to {CONFIG_VERSION}"
        )
    migration = ConfigMigration(path, kind, found, to_version, old_text)
    values = _map(entries, migration.changes, path)
    _validate(values, path)
    render = _render_env if kind == "env" else _render_yaml
    migration.new_text = render(values, migration)
    return migration


def check_env_file(path: Path) -> None:
    """Validate a version 2 ``.env`` file without starting anything; ConfigError names the key."""
    entries = _read_env(path.read_text(encoding="utf-8"), path)
    values: dict[str, tuple[Any, str]] = {}
    for entry in entries:
        if not entry.key.upper().startswith(ENV_PREFIX):
            continue
        setting = _name(entry.key).lower().replace("__", ".")
        if setting == "config_version":
            if str(entry.value) != str(CONFIG_VERSION):
                raise ConfigError(
                    f"{path}: config_version {entry.value} is not {CONFIG_VERSION}; "
                    "run 'tradestack config migrate'"
                )
            continue
        if not _is_setting(setting):
            raise ConfigError(f"{path}: unknown setting {entry.key}")
        values[setting] = (entry.value, entry.raw)
    _validate(values, path)


def apply_migration(migration: ConfigMigration, *, output: Path | None = None) -> Path:
    """Keep the old file as ``<name>.v<N>.bak`` and write the new text; return the backup path."""
    backup = migration.path.with_name(f"{migration.path.name}.v{migration.from_version}.bak")
    if backup.exists():
        backup = backup.with_name(f"{backup.name}.{datetime.now(UTC):%Y%m%dT%H%M%S}")
    backup.write_text(migration.old_text, encoding="utf-8")
    target = output or migration.path
    staging = target.with_name(f".{target.name}.migrating")
    staging.write_text(migration.new_text, encoding="utf-8")
    os.replace(staging, target)
    return backup


def _read_env(text: str, path: Path) -> list[Entry]:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = stripped.removeprefix("export ").strip()
        key, separator, raw = stripped.partition("=")
        if not separator or not key.strip():
            raise ConfigError(f"{path} line {number}: expected KEY=value, found {line.strip()!r}")
        raw = raw.strip()
        if raw[:1] not in ("'", '"') and " #" in raw:
            raw = raw.split(" #", 1)[0].rstrip()
        entries.append(Entry(key.strip(), raw, _unquote(raw)))
    return entries


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in ("'", '"'):
        return raw[1:-1]
    return raw


def _read_yaml(text: str, path: Path) -> list[Entry]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"config file {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of settings")
    entries = []
    for key, value in data.items():
        if isinstance(value, dict):
            entries += [Entry(f"{key}.{k}", str(v), v) for k, v in value.items()]
        else:
            entries.append(Entry(str(key), str(value), value))
    return entries


def _version_of(entries: list[Entry]) -> int:
    for entry in entries:
        if _name(entry.key) == "CONFIG_VERSION":
            try:
                return int(entry.value)
            except (TypeError, ValueError):
                raise ConfigError(f"config_version {entry.value!r} is not a number") from None
    return 1


def _name(key: str) -> str:
    return key.upper().removeprefix(ENV_PREFIX)


def _map(entries: list[Entry], changes: list[Change], path: Path) -> dict[str, tuple[Any, str]]:
    """Return setting path -> (value, raw text), recording one Change per key."""
    chosen: dict[str, tuple[Any, str, str, str]] = {}  # path -> value, raw, action, key

    def assign(target: str, value: Any, raw: str, action: str, key: str, note: str = "") -> None:
        previous = chosen.get(target)
        if previous is not None and _RANK[previous[2]] > _RANK[action]:
            changes.append(Change(key, target, "ignored", f"{previous[3]} sets it"))
            return
        if previous is not None:
            changes.append(Change(previous[3], target, "ignored", f"{key} sets it"))
        chosen[target] = (value, raw, action, key)
        if action != "split":
            changes.append(Change(key, target, action, note))

    parts: dict[str, dict[str, str]] = {}  # combined target -> legacy key -> value
    for entry in entries:
        name = _name(entry.key)
        if name in v1_mapping.DROPPED:
            continue
        split = v1_mapping.SPLITS.get(name)
        if split is not None:
            base = _port(entry, path)
            for target, offset in split.targets:
                assign(target, base + offset, str(base + offset), "split", entry.key)
                changes.append(Change(entry.key, target, "split", f"{base} + {offset}"))
            continue
        setting = name.lower().replace("__", ".")
        combine = _combine_for(name)
        if _is_setting(setting):
            assign(setting, entry.value, entry.raw, "kept", entry.key)
        elif name in v1_mapping.RENAMES:
            target = v1_mapping.RENAMES[name]
            action = "moved" if target.rsplit(".", 1)[-1] == name.lower() else "renamed"
            assign(target, entry.value, entry.raw, action, entry.key)
        elif name in v1_mapping.SCALED:
            scale = v1_mapping.SCALED[name]
            value = _scaled(entry, scale.factor, path)
            assign(scale.target, value, value, "scaled", entry.key, scale.note)
        elif combine is not None:
            parts.setdefault(combine.target, {})[entry.key] = str(entry.value)
        elif name in v1_mapping.REPORTED:
            changes.append(Change(entry.key, "-", "dropped", v1_mapping.REPORTED[name]))
        else:
            changes.append(Change(entry.key, "-", "unknown", "not carried over"))
    for target, found in parts.items():
        _combine(target, found, chosen, changes)
    for target in v1_mapping.ADDED:
        if target not in chosen:
            default = _default(target)
            chosen[target] = (default, str(default), "added", "-")
            changes.append(Change("-", target, "added", f"new in version 2, default {default}"))
    return {target: (value, raw) for target, (value, raw, _, _) in chosen.items()}


def _combine_for(name: str) -> v1_mapping.Combine | None:
    return next((c for c in v1_mapping.COMBINED if name in c.parts), None)


def _combine(
    target: str,
    found: dict[str, str],
    chosen: dict[str, tuple[Any, str, str, str]],
    changes: list[Change],
) -> None:
    """Build one URL setting from its parts, unless a key naming the setting itself won."""
    combine = next(c for c in v1_mapping.COMBINED if c.target == target)
    previous = chosen.get(target)
    if previous is not None and _RANK[previous[2]] > _RANK["combined"]:
        changes += [Change(key, target, "ignored", f"{previous[3]} sets it") for key in found]
        return
    url = combine.url({combine.parts[_name(key)]: value for key, value in found.items()})
    chosen[target] = (url, url, "combined", next(iter(found)))
    for key in found:
        part = combine.parts[_name(key)]
        changes.append(Change(key, target, "combined", f"the {part} of the URL"))


def _scaled(entry: Entry, factor: int, path: Path) -> str:
    try:
        value = Decimal(str(entry.value)) * factor
    except InvalidOperation:
        raise ConfigError(f"{path}: {entry.key} = {entry.value!r} is not a number") from None
    return f"{value.normalize():f}"


def _port(entry: Entry, path: Path) -> int:
    try:
        return int(entry.value)
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: {entry.key} = {entry.value!r} is not a port number") from None


def _field(setting: str) -> Any:
    model: type[BaseModel] = Settings
    *groups, name = setting.split(".")
    for group in groups:
        annotation = model.model_fields[group].annotation if group in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model.model_fields.get(name)


def _is_setting(setting: str) -> bool:
    info = _field(setting)
    return (
        info is not None
        and setting != "config_version"
        and not (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel))
    )


def _default(setting: str) -> Any:
    return _field(setting).default


def _nest(values: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for setting, value in values.items():
        *groups, name = setting.split(".")
        node = nested
        for group in groups:
            node = node.setdefault(group, {})
        node[name] = value
    return nested


def _validate(values: dict[str, tuple[Any, str]], path: Path) -> None:
    data = _nest({setting: value for setting, (value, _) in values.items()})
    try:
        Settings.model_validate({**data, "config_version": CONFIG_VERSION})
    except ValidationError as error:
        raise ConfigError(
            f"{path} would not be valid after migration: {validation_message(error)}"
        ) from None


def _unknown_comment(migration: ConfigMigration) -> list[str]:
    lines = [
        f"# not carried over: {change.old_key} ({change.note})"
        for change in migration.changes
        if change.action == "dropped"
    ]
    if migration.unknown:
        lines.append(f"# not carried over (unknown in version 2): {', '.join(migration.unknown)}")
    return lines


def _render_env(values: dict[str, tuple[Any, str]], migration: ConfigMigration) -> str:
    lines = [
        f"# config_version {CONFIG_VERSION}, migrated from version {migration.from_version} "
        "by 'tradestack config migrate'",
        f"{ENV_PREFIX}CONFIG_VERSION={CONFIG_VERSION}",
    ]
    for setting, (value, raw) in values.items():
        name = f"{ENV_PREFIX}{setting.upper().replace('.', '__')}"
        # An unset optional setting is shown, not written: "None" would not parse back.
        lines.append(f"# {name}= (not set)" if value is None else f"{name}={raw}")
    return "\n".join(lines + _unknown_comment(migration)) + "\n"


def _render_yaml(values: dict[str, tuple[Any, str]], migration: ConfigMigration) -> str:
    data = {"config_version": CONFIG_VERSION, **_nest({k: v for k, (v, _) in values.items()})}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return "\n".join([*_unknown_comment(migration), body.rstrip()]) + "\n"

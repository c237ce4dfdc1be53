"""Reload settings in a running process on SIGHUP.

Only fields marked ``RELOADABLE`` in the settings model are taken over; a
changed field that is not reloadable is logged as needing a restart. A file
that does not validate is refused as a whole and the old settings stay.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tradestack.config.settings import Settings
from tradestack.errors import ConfigError

logger = logging.getLogger(__name__)

Listener = Callable[[Settings, list[str]], None]


def reloadable_keys() -> set[str]:
    """Return the dotted names of every reloadable setting (``risk.max_position_size_usd``)."""
    return {name for name, info in _fields(Settings) if _is_reloadable(info)}


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += _fields(annotation, f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", info))
    return out


def _is_reloadable(info: Any) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("reloadable"))


def _value(settings: Settings, key: str) -> Any:
    value: Any = settings
    for part in key.split("."):
        value = getattr(value, part)
    return value


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    applied: list[str] = field(default_factory=list)
    needs_restart: list[str] = field(default_factory=list)
    refused: str | None = None


class SettingsReloader:
    """Holds the live settings; ``reload()`` re-reads them with ``load`` and tells listeners."""

    def __init__(self, settings: Settings, load: Callable[[], Settings]) -> None:
        self.settings = settings
        self._load = load
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def reload(self) -> ReloadOutcome:
        """Load, validate and apply the reloadable changes; never raises for a bad file."""
        try:
            candidate = self._load()
        except ConfigError as error:
            logger.warning("settings reload refused, keeping the running settings: %s", error)
            return ReloadOutcome(refused=str(error))
        changed = [
            key
            for key, _ in _fields(Settings)
            if _value(self.settings, key) != _value(candidate, key)
        ]
        reloadable = reloadable_keys()
        applied = [key for key in changed if key in reloadable]
        later = [key for key in changed if key not in reloadable]
        if later:
            logger.warning("settings changed that need a restart: %s", ", ".join(later))
        if applied:
            self.settings = _merged(self.settings, candidate, applied)
            logger.warning("settings reloaded: %s", ", ".join(applied))
            for listener in self._listeners:
                listener(self.settings, applied)
        return ReloadOutcome(applied=applied, needs_restart=later)

    def install_signal_handler(self, loop: asyncio.AbstractEventLoop) -> None:
        """Reload on SIGHUP (POSIX only)."""
        loop.add_signal_handler(signal.SIGHUP, self.reload)


def _merged(current: Settings, candidate: Settings, keys: list[str]) -> Settings:
    updates: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for key in keys:
        group, _, name = key.rpartition(".")
        if group:
            groups.setdefault(group, {})[name] = _value(candidate, key)
        else:
            updates[key] = _value(candidate, key)
    for group, values in groups.items():
        updates[group] = getattr(current, group).model_copy(update=values)
    return current.model_copy(update=updates)

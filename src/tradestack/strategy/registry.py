"""Every strategy by name, from every source; the one place that makes a Strategy.

Sources, in this order: built-ins; each ``*.py`` in ``$TRADESTACK_HOME/strategies``,
in the directories of ``TRADESTACK_STRATEGY_PATH`` (``os.pathsep``-separated)
and in directories added by ``--strategy-path``; installed packages through the
entry-point group ``tradestack.strategies``; and ``module:Class`` references,
resolved on demand. Foreign strategies (seed 003's ``analyze`` template,
freqtrade's IStrategy) are adapted here, so every caller gets an object with
``name``, ``allow_short``, ``warmup_bars`` and ``on_bar(bar, context)``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradestack.errors import ConfigError, NotFoundError
from tradestack.strategy import foreign
from tradestack.strategy.base import Strategy
from tradestack.strategy.channel_breakout import ChannelBreakout
from tradestack.strategy.loader import (
    Found,
    LoadProblem,
    load_reference,
    scan_directories,
    scan_entry_points,
)
from tradestack.strategy.sma_cross import SmaCross

_BUILT_IN: dict[str, type[Strategy]] = {cls.name: cls for cls in (SmaCross, ChannelBreakout)}
_extra_directories: list[Path] = []
_configured: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class StrategyEntry:
    """One strategy that can be created by ``name``."""

    name: str
    cls: type[Strategy]
    source: str
    location: str

    @property
    def interface(self) -> str:
        return getattr(self.cls, "INTERFACE", f"tradestack v{self.cls.INTERFACE_VERSION}")

    def describe(self) -> dict[str, Any]:
        return {
            **self.cls.schema(),
            "source": self.source,
            "location": self.location,
            "interface": self.interface,
            "interface_version": self.cls.INTERFACE_VERSION,
        }


@dataclass(slots=True)
class Catalog:
    entries: dict[str, StrategyEntry] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    duplicates: dict[str, list[StrategyEntry]] = field(default_factory=dict)

    def duplicate_error(self, name: str) -> str:
        places = " and ".join(e.location for e in self.duplicates[name])
        return f"strategy {name!r} is defined twice: {places}; rename one"


def add_strategy_path(directory: Path) -> None:
    """Search ``directory`` too (``--strategy-path``), in this process and the ones it starts."""
    resolved = directory.expanduser().resolve()
    if not resolved.is_dir():
        raise ConfigError(f"--strategy-path {directory}: not a directory")
    if resolved not in _extra_directories:
        _extra_directories.append(resolved)
        current = os.environ.get("TRADESTACK_STRATEGY_PATH", "")
        os.environ["TRADESTACK_STRATEGY_PATH"] = os.pathsep.join(
            [p for p in (current, str(resolved)) if p]
        )


def configure(*, home: Path, strategy_path: str) -> None:
    """Use the loaded settings' home and strategy path (the CLI calls this after loading)."""
    _configured["home"] = str(home)
    _configured["strategy_path"] = strategy_path


def strategy_directories() -> list[Path]:
    home = Path(_configured.get("home") or os.environ.get("TRADESTACK_HOME", "./var"))
    home = home.expanduser()
    listed = os.pathsep.join(
        p
        for p in (_configured.get("strategy_path", ""), os.environ.get("TRADESTACK_STRATEGY_PATH"))
        if p
    )
    directories = [home / "strategies"]
    directories += [Path(p).expanduser() for p in listed.split(os.pathsep) if p]
    directories += _extra_directories
    return directories


def catalog() -> Catalog:
    """Load every source; broken files and duplicate names are listed, never raised."""
    out = Catalog()
    for name, cls in _BUILT_IN.items():
        out.entries[name] = StrategyEntry(name, cls, "builtin", f"{cls.__module__}")
    files, file_problems = scan_directories(strategy_directories())
    points, point_problems = scan_entry_points()
    out.problems = file_problems + point_problems
    for found in [*files, *points]:
        entry = _entry(found, out.problems)
        if entry is None:
            continue
        known = out.entries.get(entry.name)
        if known is not None and known.cls is not entry.cls:
            out.duplicates.setdefault(entry.name, [known]).append(entry)
            continue
        out.entries[entry.name] = entry
    return out


def strategy_classes() -> dict[str, type[Strategy]]:
    return {name: entry.cls for name, entry in catalog().entries.items()}


def find_strategy(name: str) -> StrategyEntry:
    """Return the entry for ``name`` or ``module:Class``; raise NotFoundError or ConfigError."""
    if ":" in name:
        try:
            found = load_reference(name)
        except ValueError as error:
            raise NotFoundError(str(error)) from None
        problems: list[LoadProblem] = []
        entry = _entry(found, problems)
        if entry is None:
            detail = f": {problems[0].message}" if problems else ""
            raise NotFoundError(f"{name} is not a strategy class{detail}")
        return entry
    cls = _BUILT_IN.get(name)
    everything = catalog()
    if name in everything.duplicates:
        raise ConfigError(everything.duplicate_error(name))
    if cls is not None:
        return everything.entries[name]
    entry = everything.entries.get(name)
    if entry is None:
        hint = f"; {len(everything.problems)} file(s) failed to load" if everything.problems else ""
        raise NotFoundError(
            f"unknown strategy {name!r} (available: {', '.join(sorted(everything.entries))}){hint}"
        )
    return entry


def create_strategy(name: str, params: Mapping[str, Any] | None = None) -> Strategy:
    """Instantiate a strategy by name (or ``module:Class``).

    Raises
    ------
    NotFoundError
        No strategy has that name.
    ConfigError
        Two sources define that name.
    ValueError
        A parameter is unknown, of the wrong type, out of bounds or inconsistent.
    """
    cls = _BUILT_IN.get(name)
    if cls is None or _extra_sources_possible():
        cls = find_strategy(name).cls
    return cls(**dict(params or {}))


def _extra_sources_possible() -> bool:
    """Whether a user directory exists that might redefine a built-in's name."""
    return any(d.is_dir() for d in strategy_directories())


def _entry(found: Found, problems: list[LoadProblem]) -> StrategyEntry | None:
    cls = found.cls
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        try:
            adapted = foreign.adapt(cls)
        except (ValueError, ImportError) as error:
            problems.append(LoadProblem(found.location, f"{cls.__name__}: {error}"))
            return None
        if adapted is None:
            return None
        cls = adapted
    if inspect.isabstract(cls):
        return None
    if not isinstance(getattr(cls, "name", None), str):
        problems.append(LoadProblem(found.location, f"{cls.__name__} declares no name"))
        return None
    return StrategyEntry(cls.name, cls, found.source, found.location)

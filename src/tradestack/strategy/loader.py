"""Find strategy classes in files, directories, installed packages and ``module:Class`` names.

Loading never stops at a broken source: each problem becomes a ``LoadProblem``
(one line naming ``file:line`` and the error) and the other strategies still
load. A file is imported once per version: it is re-imported when its
modification time or size changes, which is how ``trader reload`` picks up an
edited strategy. Files whose name starts with ``_`` are helpers, not strategies.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ENTRY_POINT_GROUP = "tradestack.strategies"
_MODULE_PREFIX = "tradestack_user_strategies"


@dataclass(frozen=True, slots=True)
class Found:
    """A class that may be a strategy, and where it came from."""

    cls: type
    source: str
    """``builtin``, ``file``, ``entry_point`` or ``module``."""
    location: str
    """The file path, ``entry point NAME (DIST VERSION)`` or ``module:Class``."""


@dataclass(frozen=True, slots=True)
class LoadProblem:
    location: str
    """``file:line`` (or the entry point / reference) where loading failed."""
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


_file_cache: dict[Path, tuple[tuple[int, int], list[Found], LoadProblem | None]] = {}


def scan_directories(directories: Iterable[Path]) -> tuple[list[Found], list[LoadProblem]]:
    """Import every ``*.py`` of each existing directory (not recursive), in name order."""
    found: list[Found] = []
    problems: list[LoadProblem] = []
    seen: set[Path] = set()
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.py")):
            resolved = path.resolve()
            if path.name.startswith("_") or resolved in seen:
                continue
            seen.add(resolved)
            classes, problem = load_file(resolved)
            found.extend(classes)
            if problem is not None:
                problems.append(problem)
    return found, problems


def load_file(path: Path) -> tuple[list[Found], LoadProblem | None]:
    """Import one strategy file (cached by modification time and size)."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    digest = hashlib.sha1(f"{path}:{version}".encode()).hexdigest()[:10]
    name = f"{_MODULE_PREFIX}.{_identifier(path.stem)}_{digest}"
    result: tuple[list[Found], LoadProblem | None]
    try:
        module = _import_path(name, path)
    except Exception as error:  # any error in user code is reported, never raised
        result = ([], LoadProblem(f"{path}:{_line_of(error, path)}", _describe(error)))
    else:
        result = ([Found(cls, "file", str(path)) for cls in _classes_of(module)], None)
    _file_cache[path] = (version, *result)
    return result


def scan_entry_points() -> tuple[list[Found], list[LoadProblem]]:
    """Load every entry point of the group ``tradestack.strategies``."""
    found: list[Found] = []
    problems: list[LoadProblem] = []
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = point.dist
        where = f"entry point {point.name}" + (
            f" ({dist.metadata['Name']} {dist.version})" if dist is not None else ""
        )
        try:
            loaded = point.load()
        except Exception as error:  # a broken package must not hide the others
            problems.append(LoadProblem(where, _describe(error)))
            continue
        classes = list(_classes_of(loaded)) if inspect.ismodule(loaded) else [loaded]
        found.extend(Found(cls, "entry_point", where) for cls in classes)
    return found, problems


def load_reference(reference: str) -> Found:
    """Import ``package.module:Class`` (or ``path/to/file.py:Class``); raise ValueError."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"strategy reference {reference!r} is not of the form module:Class")
    try:
        if module_name.endswith(".py"):
            classes, problem = load_file(Path(module_name).resolve())
            if problem is not None:
                raise ValueError(str(problem))
            for item in classes:
                if item.cls.__name__ == attribute:
                    return Found(item.cls, "file", item.location)
            raise ValueError(f"{module_name} defines no strategy class {attribute}")
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import {module_name} for {reference!r}: {error}") from None
    cls = getattr(module, attribute, None)
    if not inspect.isclass(cls):
        raise ValueError(f"module {module_name} has no class {attribute}")
    return Found(cls, "module", reference)


def _import_path(name: str, path: Path) -> ModuleType:
    from tradestack.strategy.foreign import seed003

    seed003.install_shim()
    if _MODULE_PREFIX not in sys.modules:
        package = ModuleType(_MODULE_PREFIX)
        package.__path__ = []
        sys.modules[_MODULE_PREFIX] = package
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _classes_of(module: ModuleType) -> Iterator[type]:
    """Classes defined in ``module`` itself (not imported into it), in definition order."""
    for value in vars(module).values():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            yield value


def _line_of(error: BaseException, path: Path) -> int:
    if isinstance(error, SyntaxError) and error.lineno is not None:
        return error.lineno
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename).resolve() == path:
            line = frame.lineno or 0
    return line


def _describe(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg}"
    if isinstance(error, ModuleNotFoundError) and error.name == "freqtrade":
        return "a freqtrade strategy: pip install 'tradestack[freqtrade]' to run it"
    return f"{type(error).__name__}: {error}"


def _identifier(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text) or "strategy"

"""``strategy migrate FILE --to 2``: rewrite a v1 strategy file to interface version 2.

The rewrite is small and mechanical, so a reader can check it: the base class
``Strategy`` becomes ``StrategyV2``; ``on_bar(self, bar, context)`` becomes
``next(self, data)`` whose first line unpacks ``bar, context = data.bar,
data.context``; the import is added. The body is untouched, so the strategy
decides exactly as before (its own deques and sums keep working; the v2
windows and indicators are there to use when the author wants them). What it
cannot rewrite it reports, one line each, and leaves the file alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

IMPORT = "from tradestack.strategy.v2 import BarData, StrategyV2\n"


@dataclass(slots=True)
class Migration:
    source: str
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.changes)


def migrate_source(text: str, filename: str = "<file>") -> Migration:
    """Return the v2 source of ``text`` with what changed, or the problems that stop it."""
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as error:
        return Migration(text, problems=[f"{filename}:{error.lineno}: SyntaxError: {error.msg}"])
    lines = text.splitlines(keepends=True)
    migration = Migration(text)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef) and _v1_base(node)]
    if not classes:
        v2 = any(isinstance(n, ast.ClassDef) and _base_named(n, "StrategyV2") for n in tree.body)
        migration.problems.append(
            f"{filename}: already interface version 2"
            if v2
            else f"{filename}: no class derived from Strategy to migrate"
        )
        return migration
    edits: list[tuple[int, int, int, int, str]] = []  # (line, col, end_line, end_col, text)
    for cls in classes:
        _plan_class(cls, lines, edits, migration, filename)
    if migration.problems:
        return migration
    for line, col, end_line, end_col, new in sorted(edits, reverse=True):
        head = lines[line - 1][:col]
        tail = lines[end_line - 1][end_col:]
        lines[line - 1 : end_line] = [head + new + tail]
    out = "".join(lines)
    out = _add_import(out, tree)
    migration.changes.append("added: " + IMPORT.strip())
    try:
        ast.parse(out, filename)
    except SyntaxError as error:  # never write a file that does not parse
        migration.problems.append(f"the rewrite does not parse ({error.msg}); file left alone")
        return migration
    migration.source = out
    return migration


def migrate_file(path: Path, *, output: Path | None = None) -> Migration:
    """Rewrite ``path`` (keeping ``PATH.v1.bak``) or write to ``output``; nothing on a problem."""
    migration = migrate_source(path.read_text(), str(path))
    if not migration.ok:
        return migration
    target = output or path
    if output is None:
        backup = path.with_suffix(path.suffix + ".v1.bak")
        backup.write_text(path.read_text())
        migration.changes.append(f"kept the v1 file as {backup}")
    target.write_text(migration.source)
    return migration


def _plan_class(
    cls: ast.ClassDef,
    lines: list[str],
    edits: list[tuple[int, int, int, int, str]],
    migration: Migration,
    filename: str,
) -> None:
    base = next(b for b in cls.bases if _is_strategy(b))
    assert base.end_lineno is not None and base.end_col_offset is not None
    edits.append((base.lineno, base.col_offset, base.end_lineno, base.end_col_offset, "StrategyV2"))
    migration.changes.append(f"class {cls.name}: base Strategy -> StrategyV2")
    on_bar = [n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    on_bar = [n for n in on_bar if n.name == "on_bar"]
    where = f"{filename}:{cls.lineno}: class {cls.name}"
    if not on_bar:
        migration.problems.append(f"{where} has no on_bar method")
        return
    method = on_bar[0]
    if isinstance(method, ast.AsyncFunctionDef):
        migration.problems.append(f"{where}: on_bar is async; a strategy decides synchronously")
        return
    names = [a.arg for a in method.args.args]
    if len(names) != 3 or method.args.vararg or method.args.kwarg:
        migration.problems.append(f"{where}: on_bar takes {names}, not (self, bar, context)")
        return
    if any(_calls_super_on_bar(node) for node in ast.walk(method)):
        migration.problems.append(f"{where}: on_bar calls super().on_bar; merge it by hand")
        return
    first = method.body[0]
    if _is_docstring(first) and len(method.body) > 1:
        first = method.body[1]
    indent = " " * first.col_offset
    self_name, bar, context = names
    signature_end = _signature_end(method, lines)
    returns = f" -> {ast.unparse(method.returns)}" if method.returns else ""
    header = f"def next({self_name}, data: BarData){returns}:"
    end_col = len(lines[signature_end - 1].split("#", 1)[0].rstrip())  # keep a comment
    edits.append((method.lineno, method.col_offset, signature_end, end_col, header))
    unpack = f"{indent}{bar}, {context} = data.bar, data.context\n"
    edits.append((first.lineno, 0, first.lineno, 0, unpack))
    migration.changes.append(
        f"class {cls.name}: on_bar({bar}, {context}) -> next(data), unpacking {bar} and {context}"
    )


def _signature_end(method: ast.FunctionDef, lines: list[str]) -> int:
    """The line holding the ``:`` that ends the ``def`` (comments and blank lines stay)."""
    for number in range(method.lineno, method.body[0].lineno):
        code = lines[number - 1].split("#", 1)[0].rstrip()
        if code.endswith(":"):
            return number
    return method.body[0].lineno - 1


def _v1_base(node: ast.ClassDef) -> bool:
    return any(_is_strategy(b) for b in node.bases)


def _is_strategy(base: ast.expr) -> bool:
    return (isinstance(base, ast.Name) and base.id == "Strategy") or (
        isinstance(base, ast.Attribute) and base.attr == "Strategy"
    )


def _base_named(node: ast.ClassDef, name: str) -> bool:
    return any(
        (isinstance(b, ast.Name) and b.id == name)
        or (isinstance(b, ast.Attribute) and b.attr == name)
        for b in node.bases
    )


def _calls_super_on_bar(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "on_bar"
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "super"
    )


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _add_import(text: str, tree: ast.Module) -> str:
    """Insert the v2 import after the last top-level import (or the docstring)."""
    last = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            last = node.end_lineno or node.lineno
    if last == 0 and tree.body and _is_docstring(tree.body[0]):
        last = tree.body[0].end_lineno or 1
    lines = text.splitlines(keepends=True)
    lines.insert(last, IMPORT)
    return "".join(lines)

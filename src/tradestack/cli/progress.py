"""Rich progress bars for long commands, on stderr so stdout stays clean for results.

Long commands also stop promptly on Ctrl-C: ``run_interruptible`` runs their
coroutine, and on SIGINT (asyncio cancels it at its next await; the work
commits in small transactions) turns the interrupt into one line saying
what was kept, exit code 130.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tradestack.cli.output import errors
from tradestack.errors import CommandInterrupted

T = TypeVar("T")


class RichProgress:
    """Implements the pipeline's ``Progress``: one bar per ``begin``."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def begin(self, total: int, description: str) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total or 0)
        self._task = self._progress.add_task(description, total=total or None)

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)


@contextmanager
def progress_bar() -> Iterator[RichProgress]:
    """Show progress while the block runs (nothing when stderr is not a terminal)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors, disable=not errors.is_terminal) as progress:
        yield RichProgress(progress)


def run_interruptible(work: Coroutine[Any, Any, T], kept: Callable[[], str]) -> T:
    """Run ``work``; on Ctrl-C raise CommandInterrupted with ``kept()`` (what stays stored)."""
    try:
        return asyncio.run(work)
    except KeyboardInterrupt:
        raise CommandInterrupted(f"interrupted: {kept()}") from None

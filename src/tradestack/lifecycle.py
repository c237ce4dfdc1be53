"""A small lifecycle shared by long-lived parts (feeds, traders, sinks, services).

``start``/``stop`` drive the state machine; subclasses implement ``_on_start``
and ``_on_stop`` and register background tasks with ``spawn`` so that stopping
always cancels and awaits them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from enum import StrEnum
from typing import Any

from tradestack.errors import TradestackError

log = logging.getLogger(__name__)


class ComponentState(StrEnum):
    INIT = "INIT"
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"
    FAULTED = "FAULTED"


class Component:
    name: str = "component"

    def __init__(self) -> None:
        self.state = ComponentState.INIT
        self.fault: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        if self.state is ComponentState.RUNNING:
            return
        try:
            await self._on_start()
        except Exception as error:
            self._faulted(error)
            raise
        self.state = ComponentState.RUNNING

    async def stop(self) -> None:
        if self.state is not ComponentState.RUNNING:
            await self._cancel_tasks()
            return
        try:
            await self._on_stop()
        finally:
            await self._cancel_tasks()
            if self.state is ComponentState.RUNNING:
                self.state = ComponentState.STOPPED

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background; a crash marks the component FAULTED."""
        task = asyncio.create_task(coroutine, name=f"{self.name}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    async def _on_start(self) -> None:
        """Acquire resources and spawn background tasks."""

    async def _on_stop(self) -> None:
        """Finish in-flight work and release resources."""

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._faulted(task.exception())

    def _faulted(self, error: BaseException | None) -> None:
        self.state = ComponentState.FAULTED
        self.fault = f"{type(error).__name__}: {error}"
        # Our own errors (a full disk, a bad setting) say everything in one line; a traceback
        # is for the unexpected.
        trace = None if isinstance(error, TradestackError) else error
        log.error("%s faulted: %s", self.name, self.fault, exc_info=trace)

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

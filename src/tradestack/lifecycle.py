"""A small lifecycle shared by long-lived parts (feeds, traders, sinks, services).

``start``/``stop`` are final and drive one state machine::

    INIT -> STARTING -> RUNNING -> STOPPING -> STOPPED -> STARTING ...
              |            |           |
              +------------+-----------+--> FAULTED --reset()--> INIT

Subclasses implement ``_on_start`` and ``_on_stop`` and register background
tasks with ``spawn``, so that stopping always cancels and awaits them. A fault
(``_on_start`` or ``_on_stop`` raising, a background task crashing, or a
subclass calling ``_faulted``) sticks: ``start`` refuses a FAULTED component
until someone calls ``reset`` on purpose, so a crash loop is never silent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from enum import StrEnum
from typing import Any, Final, final

from tradestack.errors import TradestackError

log = logging.getLogger(__name__)


class ComponentState(StrEnum):
    INIT = "INIT"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    FAULTED = "FAULTED"


_S = ComponentState
# Every move the machine allows; anything else raises IllegalTransitionError.
TRANSITIONS: Final[dict[ComponentState, frozenset[ComponentState]]] = {
    _S.INIT: frozenset({_S.STARTING}),
    _S.STARTING: frozenset({_S.RUNNING, _S.FAULTED}),
    _S.RUNNING: frozenset({_S.STOPPING, _S.FAULTED}),
    _S.STOPPING: frozenset({_S.STOPPED, _S.FAULTED}),
    _S.STOPPED: frozenset({_S.STARTING, _S.INIT}),
    _S.FAULTED: frozenset({_S.INIT}),
}


class LifecycleError(TradestackError):
    """A component was asked to do something its lifecycle state forbids."""


class IllegalTransitionError(LifecycleError):
    """A component was asked to move between two states the machine does not join."""


class ComponentFaultedError(LifecycleError):
    """A FAULTED component was asked to start; it needs ``reset()`` first."""


class Component:
    """Base of every long-lived part: final ``start``/``stop`` around overridable hooks."""

    name: str = "component"

    def __init__(self) -> None:
        self.state = ComponentState.INIT
        self.fault: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @final
    async def start(self) -> None:
        """Run ``_on_start`` and move to RUNNING; a no-op when already RUNNING.

        Raises
        ------
        ComponentFaultedError
            The component is FAULTED (the message names it and its fault); call ``reset``.
        IllegalTransitionError
            The component is STARTING or STOPPING.
        """
        if self.state is ComponentState.RUNNING:
            return
        if self.state is ComponentState.FAULTED:
            raise ComponentFaultedError(
                f"{self.name} is FAULTED ({self.fault}); reset it before starting it again"
            )
        self._move(ComponentState.STARTING)
        try:
            await self._on_start()
        except BaseException as error:
            if self.state is not ComponentState.FAULTED:
                self._faulted(error)
            await self._cancel_tasks()
            raise
        if self.state is ComponentState.FAULTED:  # a task spawned by _on_start crashed
            await self._cancel_tasks()
            raise ComponentFaultedError(f"{self.name} faulted while starting: {self.fault}")
        self._move(ComponentState.RUNNING)

    @final
    async def stop(self) -> None:
        """Run ``_on_stop``, then cancel and await every spawned task; move to STOPPED.

        Stopping a component that is not RUNNING only cancels its tasks: INIT,
        STOPPED and FAULTED stay as they are (a fault is kept for ``reset``).

        Raises
        ------
        IllegalTransitionError
            The component is still STARTING.
        """
        if self.state is ComponentState.STARTING:
            raise IllegalTransitionError(f"{self.name} cannot stop while it is STARTING")
        if self.state is not ComponentState.RUNNING:
            await self._cancel_tasks()
            return
        self._move(ComponentState.STOPPING)
        try:
            await self._on_stop()
        except BaseException as error:
            if self.state is not ComponentState.FAULTED:
                self._faulted(error)
            raise
        finally:
            await self._cancel_tasks()
        if self.state is ComponentState.STOPPING:
            self._move(ComponentState.STOPPED)

    @final
    async def reset(self) -> None:
        """Forget a fault (or a finished run): cancel leftover tasks and return to INIT.

        Raises
        ------
        IllegalTransitionError
            The component is STARTING, RUNNING or STOPPING: stop it first.
        """
        if self.state is ComponentState.INIT:
            return
        self._check(ComponentState.INIT)
        await self._cancel_tasks()
        self.fault = None
        self.state = ComponentState.INIT

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
        """Move to FAULTED with ``error`` as the fault; the first fault is the one kept."""
        if self.state is ComponentState.FAULTED:
            log.error("%s (already faulted) also failed: %s", self.name, _describe(error))
            return
        if ComponentState.FAULTED not in TRANSITIONS[self.state]:
            # INIT or STOPPED: nothing is running that could be faulted; log and keep the state.
            log.error("%s failed while %s: %s", self.name, self.state.value, _describe(error))
            return
        self.state = ComponentState.FAULTED
        self.fault = _describe(error)
        # Our own errors (a full disk, a bad setting) say everything in one line; a traceback
        # is for the unexpected.
        trace = None if isinstance(error, TradestackError) else error
        log.error("%s faulted: %s", self.name, self.fault, exc_info=trace)

    def _move(self, target: ComponentState) -> None:
        self._check(target)
        self.state = target

    def _check(self, target: ComponentState) -> None:
        if target not in TRANSITIONS[self.state]:
            raise IllegalTransitionError(
                f"{self.name} cannot move from {self.state.value} to {target.value}"
            )

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    return f"{type(error).__name__}: {error}"

"""The component lifecycle: each rule on its own, then the whole machine under hypothesis."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradestack.errors import TradestackError
from tradestack.lifecycle import (
    TRANSITIONS,
    Component,
    ComponentFaultedError,
    ComponentState,
    IllegalTransitionError,
)

S = ComponentState


class Probe(Component):
    """A component whose hooks can be told to fail, recording what ran."""

    name = "probe"

    def __init__(self) -> None:
        self.moves: list[tuple[ComponentState, ComponentState]] = []
        super().__init__()
        self.fail_start = False
        self.fail_stop = False
        self.crash_task = False
        self.calls: list[str] = []
        self.seen_states: list[ComponentState] = []
        self.task_cancelled = 0

    @property  # type: ignore[override]
    def state(self) -> ComponentState:
        return self._state

    @state.setter
    def state(self, value: ComponentState) -> None:
        if hasattr(self, "_state"):
            self.moves.append((self._state, value))
        self._state = value

    async def _on_start(self) -> None:
        self.seen_states.append(self.state)
        self.calls.append("start")
        self.spawn(self._forever(), "forever")
        await asyncio.sleep(0)  # let it begin, so its cancellation is observed
        if self.crash_task:
            self.spawn(self._crash(), "crash")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        if self.fail_start:
            raise RuntimeError("no start")

    async def _on_stop(self) -> None:
        self.seen_states.append(self.state)
        self.calls.append("stop")
        if self.fail_stop:
            raise RuntimeError("no stop")

    async def _forever(self) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.task_cancelled += 1
            raise

    async def _crash(self) -> None:
        raise ValueError("task crashed")


async def test_a_component_moves_init_starting_running_stopping_stopped() -> None:
    probe = Probe()
    assert probe.state is S.INIT
    await probe.start()
    assert probe.state is S.RUNNING
    await probe.stop()
    assert probe.state is S.STOPPED
    assert probe.seen_states == [S.STARTING, S.STOPPING]


async def test_stop_cancels_and_awaits_every_spawned_task() -> None:
    probe = Probe()
    await probe.start()
    extra = probe.spawn(asyncio.sleep(3600), "extra")
    await probe.stop()
    assert probe.task_cancelled == 1
    assert extra.cancelled()
    assert probe._tasks == set()


async def test_a_failing_on_start_faults_the_component_and_cancels_its_tasks() -> None:
    probe = Probe()
    probe.fail_start = True
    with pytest.raises(RuntimeError, match="no start"):
        await probe.start()
    assert probe.state is S.FAULTED
    assert probe.fault == "RuntimeError: no start"
    assert probe.task_cancelled == 1


async def test_starting_a_faulted_component_raises_naming_it_and_its_fault() -> None:
    probe = Probe()
    probe.fail_start = True
    with pytest.raises(RuntimeError):
        await probe.start()
    probe.fail_start = False
    with pytest.raises(ComponentFaultedError) as raised:
        await probe.start()
    assert isinstance(raised.value, TradestackError)
    assert "probe" in str(raised.value) and "RuntimeError: no start" in str(raised.value)
    assert probe.calls == ["start"]  # the refused start ran nothing


async def test_reset_clears_the_fault_and_allows_a_new_start() -> None:
    probe = Probe()
    probe.fail_start = True
    with pytest.raises(RuntimeError):
        await probe.start()
    probe.fail_start = False
    await probe.reset()
    assert (probe.state, probe.fault) == (S.INIT, None)
    await probe.start()
    assert probe.state is S.RUNNING


async def test_a_crashed_background_task_faults_a_running_component() -> None:
    probe = Probe()
    await probe.start()
    probe.spawn(probe._crash(), "crash")
    await asyncio.sleep(0.01)
    assert probe.state is S.FAULTED
    assert probe.fault == "ValueError: task crashed"
    await probe.stop()  # releases the other tasks, keeps the fault
    assert probe.state is S.FAULTED and probe.task_cancelled == 1


async def test_a_task_crashing_during_start_fails_the_start() -> None:
    probe = Probe()
    probe.crash_task = True
    with pytest.raises(ComponentFaultedError, match="faulted while starting: ValueError"):
        await probe.start()
    assert probe.state is S.FAULTED
    assert probe.task_cancelled == 1


async def test_a_failing_on_stop_faults_and_still_cancels_tasks() -> None:
    probe = Probe()
    await probe.start()
    probe.fail_stop = True
    with pytest.raises(RuntimeError, match="no stop"):
        await probe.stop()
    assert probe.state is S.FAULTED
    assert probe.task_cancelled == 1


async def test_the_first_fault_is_the_one_kept() -> None:
    probe = Probe()
    await probe.start()
    probe._faulted(ValueError("first"))
    probe._faulted(KeyError("second"))
    assert probe.fault == "ValueError: first"


async def test_start_on_running_and_stop_on_stopped_are_no_ops() -> None:
    probe = Probe()
    await probe.stop()
    assert probe.state is S.INIT
    await probe.start()
    await probe.start()
    await probe.stop()
    await probe.stop()
    assert probe.calls == ["start", "stop"]


async def test_a_stopped_component_starts_again() -> None:
    probe = Probe()
    await probe.start()
    await probe.stop()
    await probe.start()
    assert probe.state is S.RUNNING
    assert probe.calls == ["start", "stop", "start"]
    await probe.stop()


async def test_reset_of_a_running_component_is_illegal() -> None:
    probe = Probe()
    await probe.start()
    with pytest.raises(IllegalTransitionError, match="probe cannot move from RUNNING to INIT"):
        await probe.reset()
    assert probe.state is S.RUNNING
    await probe.stop()


async def test_stop_while_starting_and_start_while_stopping_are_illegal() -> None:
    gate = asyncio.Event()

    class Slow(Component):
        name = "slow"

        async def _on_start(self) -> None:
            await gate.wait()

        async def _on_stop(self) -> None:
            await gate.wait()

    slow = Slow()
    starting = asyncio.create_task(slow.start())
    await asyncio.sleep(0)
    assert slow.state is S.STARTING
    with pytest.raises(IllegalTransitionError, match="STARTING"):
        await slow.stop()
    gate.set()
    await starting
    gate.clear()
    stopping = asyncio.create_task(slow.stop())
    await asyncio.sleep(0)
    assert slow.state is S.STOPPING
    with pytest.raises(IllegalTransitionError, match="from STOPPING to STARTING"):
        await slow.start()
    gate.set()
    await stopping
    assert slow.state is S.STOPPED


def test_start_and_stop_are_final_and_subclasses_hook_in_below() -> None:
    assert getattr(Component.start, "__final__", False)
    assert getattr(Component.stop, "__final__", False)
    assert getattr(Component.reset, "__final__", False)


def test_the_transition_table_covers_every_state_and_reaches_faulted_only_from_activity() -> None:
    assert set(TRANSITIONS) == set(S)
    assert {s for s, targets in TRANSITIONS.items() if S.FAULTED in targets} == {
        S.STARTING,
        S.RUNNING,
        S.STOPPING,
    }
    assert TRANSITIONS[S.FAULTED] == {S.INIT}


# -- the machine as a whole -----------------------------------------------------------------

ACTIONS = st.sampled_from(
    ["start", "start_fails", "start_task_crashes", "stop", "stop_fails", "crash", "reset"]
)


async def _apply(probe: Probe, action: str) -> ComponentState:
    """Apply ``action``; return the state the model expects afterwards, checking errors."""
    before = probe.state
    probe.fail_start = action == "start_fails"
    probe.crash_task = action == "start_task_crashes"
    probe.fail_stop = action == "stop_fails"
    if action.startswith("start"):
        if before is S.FAULTED:
            with pytest.raises(ComponentFaultedError):
                await probe.start()
            return S.FAULTED
        if before is S.RUNNING:
            await probe.start()
            return S.RUNNING
        if action == "start":
            await probe.start()
            return S.RUNNING
        with pytest.raises((RuntimeError, ComponentFaultedError)):
            await probe.start()
        return S.FAULTED
    if action.startswith("stop"):
        if before is not S.RUNNING:
            await probe.stop()
            return before
        if action == "stop":
            await probe.stop()
            return S.STOPPED
        with pytest.raises(RuntimeError):
            await probe.stop()
        return S.FAULTED
    if action == "crash":
        probe.spawn(probe._crash(), "crash")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return S.FAULTED if before is S.RUNNING else before
    if before in (S.RUNNING,):
        with pytest.raises(IllegalTransitionError):
            await probe.reset()
        return before
    await probe.reset()
    return S.INIT


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTIONS, max_size=25))
def test_every_sequence_of_actions_follows_the_machine(actions: list[str]) -> None:
    async def run() -> None:
        probe = Probe()
        for action in actions:
            before = probe.state
            expected = await _apply(probe, action)
            assert probe.state is expected, (action, before)
            assert (probe.fault is not None) is (probe.state is S.FAULTED)
            if probe.state in (S.INIT, S.STOPPED):
                assert not [t for t in probe._tasks if not t.done()], "idle with live tasks"
        await probe.stop()
        assert not [t for t in probe._tasks if not t.done()]
        for before, after in probe.moves:
            assert after in TRANSITIONS[before], f"{before} -> {after}"

    asyncio.run(run())

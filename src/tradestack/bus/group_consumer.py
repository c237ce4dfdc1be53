"""The one delivery engine: a broker-neutral group consumer that every adapter runs.

A ``GroupConsumer`` serves one ``subscribe`` call: it fetches a batch from its
``Transport``, runs the handler on each event in order, and settles the batch
(acknowledgements, NAKs with a delay, dead letters with the error) in one call.
What counts as a delivery, how long to wait before the next attempt and when
to give up is decided here once; a transport only moves messages:

- memory: a bounded ``asyncio.Queue`` per group (``bus.memory``);
- Redis Streams: XREADGROUP / XACK / XAUTOCLAIM (``bus.redis_consumer``);
- NATS JetStream: pull requests / ack / nak with delay (``bus.nats_consumer``).

A transport that ``redelivers`` (JetStream) gets a failed event back with a
NAK and a growing delay, and takes back the unhandled rest of a batch when the
consumer stops. One that does not (memory, Redis, whose only redelivery is a
reclaim after ``claim_idle_s``) has the event retried in place, which keeps
the order, and finishes its batch before stopping. Either way an event is tried
at most ``max_deliver`` times, counting deliveries to consumers that died; an
event delivered more often than that (it kills or hangs its consumer) is
dead-lettered without running the handler again. There is no handler timeout:
a hung handler holds its event until the broker reclaims it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Generic, Protocol, TypeAlias, TypeVar, runtime_checkable

from tradestack.bus.delivery import RetryPolicy, describe_error
from tradestack.bus.port import DeadLetter, EventHandler
from tradestack.domain.events import Event

log = logging.getLogger(__name__)

R = TypeVar("R")
# (event, deliveries including this one, the transport's receipt to settle it with).
# A plain tuple: the memory bus makes one per event, and a tuple is the cheapest object.
Delivery: TypeAlias = tuple[Event, int, R]


@runtime_checkable
class Transport(Protocol[R]):
    """What a broker adapter supplies to the engine; every method is broker-specific."""

    redelivers: bool
    """True when ``settle`` can NAK an event back with a delay (the broker redelivers it)."""

    async def fetch(self) -> Iterable[Delivery[R]]:
        """Return the next batch in order, waiting at most a poll interval (then ``[]``).

        The batch may be lazy (an iterator): the engine takes each delivery when
        it is ready to handle it.
        Messages that are not events (undecodable, trimmed, of a type the
        group's pattern does not match) are settled by the transport itself.
        Reclaimed messages of dead consumers come through here too, with
        their broker's delivery count.
        """
        ...

    async def settle(
        self,
        acks: list[Delivery[R]],
        naks: list[tuple[Delivery[R], float]],
        letters: list[tuple[Delivery[R], DeadLetter]],
    ) -> None:
        """Acknowledge ``acks``; NAK each of ``naks`` with its delay in seconds; store
        each dead letter, then acknowledge its event. Raising leaves what was not
        settled to the broker's redelivery."""
        ...

    async def release(self, deliveries: Sequence[Delivery[R]]) -> None:
        """Hand back unhandled deliveries at once (called only when ``redelivers``)."""
        ...

    def wake(self) -> None:
        """Make a waiting ``fetch`` return soon: the consumer is stopping."""
        ...

    async def recover(self, error: Exception) -> bool:
        """Deal with an error of ``fetch`` or ``settle`` (back off, reconnect, recreate).

        Return False when the error is not the transport's to absorb; the
        consumer then fails with it.
        """
        ...

    async def close(self) -> None:
        """Flush what is still owed to the broker (acknowledgements, hand-backs)."""
        ...


class QueueTransport(Protocol):
    """The degenerate transport of an in-process queue: first deliveries only, no receipts.

    Nothing is ever redelivered and nothing needs a receipt to be settled, so
    ``fetch`` yields bare events (lazily: each leaves the queue when the engine
    takes it, so the queue's bound still holds) and ``settle`` gets a count.
    The engine runs a leaner loop for it: this is the embedded bus's hot path.
    """

    async def fetch(self) -> Iterable[Event]: ...

    async def settle(self, settled: int, letters: list[DeadLetter]) -> None:
        """Record ``letters``; ``settled`` events (letters included) are done with."""
        ...

    def wake(self) -> None: ...

    async def close(self) -> None: ...


class GroupConsumer(Generic[R]):
    """Runs one handler of ``group`` on the events its transport fetches."""

    def __init__(
        self,
        *,
        group: str,
        pattern: str,
        handler: EventHandler,
        transport: Transport[R] | QueueTransport,
        retry: RetryPolicy,
        name: str = "",
    ) -> None:
        self.group = group
        self.pattern = pattern
        self.handler = handler
        self.transport = transport
        self.retry = retry
        self.name = name or group
        self.handled = 0
        self.retried = 0
        self.dead_lettered = 0
        self.task: asyncio.Task[None] | None = None
        self._stopping = False
        self._waiting = False

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self) -> None:
        """Begin consuming in a background task (owned here, ended by ``stop``)."""
        self._stopping = False
        self.task = asyncio.create_task(self._run(), name=f"consumer:{self.name}")

    async def stop(self) -> None:
        """Stop fetching; the event being handled is finished and settled first.

        The rest of its batch is handed back when the transport redelivers,
        and handled too when it does not. Then the transport is closed.
        """
        self._stopping = True
        self.transport.wake()
        if self.task is not None:
            if self._waiting:
                self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
        await self.transport.close()

    async def _run(self) -> None:
        transport = self.transport
        if not isinstance(transport, Transport):
            await self._run_queue(transport)
            return
        # The flag is tested as well as the task being cancelled: a cancellation that
        # lands inside a client library can surface as a connection error instead.
        while not self._stopping:
            try:
                self._waiting = True
                try:
                    batch = await transport.fetch()
                finally:
                    self._waiting = False
                if batch:
                    await self._deliver(transport, batch)
            except Exception as error:
                self._waiting = True
                try:
                    recovered = await transport.recover(error)
                finally:
                    self._waiting = False
                if not recovered:
                    log.error("consumer %s of group %s failed: %r", self.name, self.group, error)
                    raise

    async def _run_queue(self, transport: QueueTransport) -> None:
        handler = self.handler
        while not self._stopping:
            self._waiting = True
            try:
                events = await transport.fetch()
            finally:
                self._waiting = False
            settled = 0
            letters: list[DeadLetter] = []
            for event in events:
                settled += 1
                try:
                    await handler(event)
                except Exception as error:
                    acks: list[Delivery[None]] = []
                    failed: list[tuple[Delivery[None], DeadLetter]] = []
                    await self._failed((event, 1, None), error, acks, [], failed, redelivers=False)
                    letters.extend(letter for _delivery, letter in failed)
            self.handled += settled - len(letters)
            await transport.settle(settled, letters)
            self.dead_lettered += len(letters)

    async def _deliver(self, transport: Transport[R], batch: Iterable[Delivery[R]]) -> None:
        acks: list[Delivery[R]] = []
        naks: list[tuple[Delivery[R], float]] = []
        letters: list[tuple[Delivery[R], DeadLetter]] = []
        handler = self.handler
        limit = self.retry.max_deliver
        hands_back = transport.redelivers
        deliveries_left = iter(batch)
        for delivery in deliveries_left:
            if hands_back and self._stopping:
                await transport.release([delivery, *deliveries_left])
                break
            event, deliveries, _receipt = delivery
            if deliveries > limit:  # it killed or hung its consumers: do not run it again
                letters.append((delivery, self._letter(event, None, deliveries - 1)))
                continue
            try:
                await handler(event)
            except Exception as error:
                await self._failed(delivery, error, acks, naks, letters, redelivers=hands_back)
            else:
                acks.append(delivery)
        self.handled += len(acks)
        await transport.settle(acks, naks, letters)
        self.dead_lettered += len(letters)

    async def _failed(
        self,
        delivery: Delivery[Any],
        error: Exception,
        acks: list[Delivery[Any]],
        naks: list[tuple[Delivery[Any], float]],
        letters: list[tuple[Delivery[Any], DeadLetter]],
        *,
        redelivers: bool,
    ) -> None:
        event, deliveries, _receipt = delivery
        policy = self.retry
        log.warning(
            "group %s handler failed on event %s (%s), delivery %d of %d: %s",
            self.group,
            event.event_id,
            event.event_type,
            deliveries,
            policy.max_deliver,
            describe_error(error),
            exc_info=error,
        )
        if redelivers:
            if deliveries < policy.max_deliver:
                self.retried += 1
                naks.append((delivery, policy.delay_s(deliveries)))
            else:
                letters.append((delivery, self._letter(event, error, deliveries)))
            return
        while deliveries < policy.max_deliver:
            self.retried += 1
            await asyncio.sleep(policy.delay_s(deliveries))
            deliveries += 1
            try:
                await self.handler(event)
            except Exception as again:
                log.info("group %s retry %d of %s failed: %s", self.group, deliveries,
                         event.event_id, describe_error(again))  # fmt: skip
                error = again
            else:
                acks.append(delivery)
                return
        letters.append((delivery, self._letter(event, error, deliveries)))

    def _letter(self, event: Event, error: Exception | None, deliveries: int) -> DeadLetter:
        if error is None:
            reason = f"not acknowledged after {deliveries} deliveries (consumer died or hung)"
        else:
            reason = describe_error(error)
        log.warning(
            "group %s dead-letters event %s (%s) after %d deliveries: %s",
            self.group,
            event.event_id,
            event.event_type,
            deliveries,
            reason,
        )
        return DeadLetter(event=event, group=self.group, error=reason, deliveries=deliveries)

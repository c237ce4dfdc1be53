"""One JetStream pull consumer loop: fetch, handle in order, ack / nak / dead-letter.

A ``NatsGroupConsumer`` serves one ``subscribe`` call. Its group is a durable
pull consumer on the events stream (an ephemeral one for anonymous
subscriptions); every handler of the group fetches from it, so they compete.
A handler that raises gets a NAK with a growing delay and JetStream
redelivers; on the ``max_deliver``-th failure the event goes to the
dead-letter stream with its error, then it is acknowledged. Messages whose
consumer died are redelivered by JetStream after ``ack_wait`` (``claim_idle_s``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import msgspec
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import (
    Backoff,
    RetryPolicy,
    describe_error,
    handle_with_retries,
    is_glob,
    matches,
)
from tradestack.bus.port import DeadLetter, EventHandler
from tradestack.config.settings import BusSettings

log = logging.getLogger(__name__)

DeadLetterWriter = Callable[[DeadLetter], Awaitable[None]]


class NatsGroupConsumer:
    """Fetches batches from one JetStream consumer and runs one handler on them in order."""

    def __init__(
        self,
        *,
        group: str,
        pattern: str,
        handler: EventHandler,
        settings: BusSettings,
        retry: RetryPolicy,
        dead_letter: DeadLetterWriter,
    ) -> None:
        self.group = group
        self.pattern = pattern
        self.handler = handler
        self.settings = settings
        self.retry = retry
        self.dead_letter = dead_letter
        self.consumer_name = ""
        self.handled = 0
        self.retried = 0
        self.dead_lettered = 0
        self._check_type = is_glob(pattern)
        self._stopping = False
        self._reading = False
        self._subscription: JetStreamContext.PullSubscription | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self, subscription: JetStreamContext.PullSubscription) -> None:
        self._subscription = subscription
        self.task = asyncio.create_task(self._run(), name=f"nats-consumer:{self.group}")

    async def stop(self) -> None:
        """Stop fetching; a batch being handled is finished and acknowledged first."""
        self._stopping = True
        if self.task is not None:
            if self._reading:
                self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except NatsError as error:
                log.info("unsubscribe of %s failed: %s", self.group, error)

    async def _run(self) -> None:
        assert self._subscription is not None
        subscription = self._subscription
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        batch = self.settings.read_batch
        timeout_s = self.settings.poll_timeout_s
        while not self._stopping:
            self._reading = True
            try:
                messages = await subscription.fetch(batch, timeout=timeout_s)
                backoff.reset()
            except TimeoutError:
                continue
            except NatsError as error:
                log.warning("consumer %s fetch failed: %s; retrying", self.group, error)
                await backoff.wait()
                continue
            finally:
                self._reading = False
            for message in messages:
                try:
                    await self._handle(message)
                except NatsError as error:
                    log.warning("consumer %s could not settle a message: %s", self.group, error)

    async def _handle(self, message: Msg) -> None:
        try:
            event = decode_event(message.data)
        except msgspec.DecodeError as error:
            log.error("%s is not an event (%s); terminated", message.subject, error)
            await message.term()
            return
        if self._check_type and not matches(self.pattern, event.event_type):
            await message.ack()
            return
        deliveries = message.metadata.num_delivered
        if deliveries > self.retry.max_deliver:
            letter = await handle_with_retries(
                self.handler,
                event,
                policy=self.retry,
                group=self.group,
                delivered_before=deliveries - 1,
            )
            await self._settle_dead(message, letter)
            return
        try:
            await self.handler(event)
        except Exception as error:
            if deliveries >= self.retry.max_deliver:
                letter = DeadLetter(
                    event=event,
                    group=self.group,
                    error=describe_error(error),
                    deliveries=deliveries,
                )
                log.warning(
                    "group %s dead-letters event %s after %d deliveries: %s",
                    self.group,
                    event.event_id,
                    deliveries,
                    letter.error,
                )
                await self._settle_dead(message, letter)
                return
            self.retried += 1
            log.info("group %s naks event %s: %s", self.group, event.event_id, error)
            await message.nak(delay=self.retry.delay_s(deliveries))
            return
        await message.ack()
        self.handled += 1

    async def _settle_dead(self, message: Msg, letter: DeadLetter | None) -> None:
        if letter is not None:
            await self.dead_letter(letter)
            self.dead_lettered += 1
        else:
            self.handled += 1
        await message.ack()

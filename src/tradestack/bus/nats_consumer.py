"""One JetStream pull consumer loop: keep pull requests open, handle in order, ack / nak / DLQ.

A ``NatsGroupConsumer`` serves one ``subscribe`` call. Its group is a durable
pull consumer on the events stream (an ephemeral one for anonymous
subscriptions); every handler of the group pulls from it, so they compete.

Pulling keeps a window of requested messages open (a new pull request for
``read_batch`` goes out when fewer than half are outstanding), so messages
stream in while earlier ones are handled; nats-py's ``fetch`` waits for a
round trip per batch and costs a task per message. A handler that raises gets
a NAK with a growing delay and JetStream redelivers; on the ``max_deliver``-th
failure the event goes to the dead-letter stream with its error and is then
acknowledged. A dead consumer's messages come back after ``ack_wait``
(``claim_idle_s``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import (
    RetryPolicy,
    describe_error,
    handle_with_retries,
    is_glob,
    matches,
)
from tradestack.bus.port import DeadLetter, EventHandler
from tradestack.config.settings import BusSettings
from tradestack.errors import BusUnavailableError

log = logging.getLogger(__name__)

DeadLetterWriter = Callable[[DeadLetter], Awaitable[None]]
_V1_ACK_TOKENS = 9


def deliveries_of(message: Msg) -> int:
    """Return how often JetStream has delivered ``message`` (from its ack subject)."""
    tokens = (message.reply or "").split(".")
    if len(tokens) == _V1_ACK_TOKENS:
        return int(tokens[4])
    return int(tokens[Msg.Ack.NumDelivered]) if len(tokens) > Msg.Ack.NumDelivered else 1


class NatsGroupConsumer:
    """Pulls from one JetStream consumer and runs one handler on its messages in order."""

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
        self._inbox_messages: deque[Msg] = deque()
        self._arrived = asyncio.Event()
        self._outstanding = 0
        self._last_traffic = 0.0
        self._client: Client | None = None
        self._subscription: Subscription | None = None
        self._next_subject = ""
        self._inbox = ""
        self.task: asyncio.Task[None] | None = None

    async def start(self, client: Client, stream: str) -> None:
        self._client = client
        self._next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{self.consumer_name}"
        self._inbox = client.new_inbox()
        self._subscription = await client.subscribe(
            self._inbox, cb=self._on_message, pending_msgs_limit=self.settings.read_batch * 100
        )
        self.task = asyncio.create_task(self._run(), name=f"nats-consumer:{self.group}")

    def connection_restored(self) -> None:
        """Forget pull requests: a restarted server no longer holds them."""
        self._outstanding = 0
        self._arrived.set()

    async def stop(self) -> None:
        """Stop pulling; the message being handled is finished, the rest are NAKed back."""
        self._stopping = True
        self._arrived.set()
        if self.task is not None:
            if self._reading:
                self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except NatsError as error:
                log.info("unsubscribe of %s failed: %s", self.group, error)
        while self._inbox_messages:
            message = self._inbox_messages.popleft()
            if message.data and message.reply:
                try:
                    await message.nak()
                except NatsError as error:
                    log.info("could not hand back a message of %s: %s", self.group, error)

    async def _on_message(self, message: Msg) -> None:
        self._inbox_messages.append(message)
        self._arrived.set()

    async def _run(self) -> None:
        batch = self.settings.read_batch
        poll_s = self.settings.poll_timeout_s
        expires_ns = int(poll_s * 1_000_000_000)
        request = json.dumps({"batch": batch, "expires": expires_ns}).encode()
        queue = self._inbox_messages
        while not self._stopping:
            if self._outstanding <= batch // 2:
                await self._request_more(request, batch)
            if not queue:
                await self._wait_for_messages(poll_s)
                continue
            while queue and not self._stopping:
                message = queue.popleft()
                self._last_traffic = time.monotonic()
                if message.data:
                    self._outstanding -= 1
                    try:
                        await self._handle(message)
                    except (NatsError, BusUnavailableError) as error:
                        log.warning("group %s could not settle a message: %s", self.group, error)
                else:
                    self._on_status(message)

    async def _request_more(self, request: bytes, batch: int) -> None:
        assert self._client is not None
        try:
            await self._client.publish(self._next_subject, request, reply=self._inbox)
        except NatsError as error:
            log.warning("group %s cannot request messages: %s", self.group, error)
            await asyncio.sleep(self.settings.poll_timeout_s)
            return
        self._outstanding += batch
        self._last_traffic = time.monotonic()

    async def _wait_for_messages(self, poll_s: float) -> None:
        self._arrived.clear()
        self._reading = True
        try:
            await asyncio.wait_for(self._arrived.wait(), poll_s + 0.5)
        except TimeoutError:
            if time.monotonic() - self._last_traffic > poll_s * 2 + 1:
                self._outstanding = 0  # requests lost (reconnect or restart); ask again
        finally:
            self._reading = False

    def _on_status(self, message: Msg) -> None:
        headers = message.headers or {}
        status = headers.get("Status", "")
        if status in {"408", "409"}:
            unfilled = headers.get("Nats-Pending-Messages")
            self._outstanding = (
                max(self._outstanding - int(unfilled), 0) if unfilled is not None else 0
            )
            if status == "409":
                log.info("group %s pull ended: %s", self.group, headers.get("Description"))
        elif status not in {"100", "404"}:
            log.warning("group %s got status %s from JetStream", self.group, status)

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
        deliveries = deliveries_of(message)
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
                log.warning(
                    "group %s dead-letters event %s after %d deliveries: %s",
                    self.group,
                    event.event_id,
                    deliveries,
                    describe_error(error),
                )
                letter = DeadLetter(
                    event=event,
                    group=self.group,
                    error=describe_error(error),
                    deliveries=deliveries,
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

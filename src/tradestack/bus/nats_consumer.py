"""One JetStream pull consumer loop: keep pull requests open, handle in order, ack / nak / DLQ.

A ``NatsGroupConsumer`` serves one ``subscribe`` call. Its group is a durable
pull consumer on the events stream (an ephemeral one for anonymous
subscriptions); every handler of the group pulls from it, so they compete.

Pulling keeps pull requests open (``PullWindow``), so messages stream in
while earlier ones are handled; nats-py's ``fetch`` waits a round trip per
batch and costs a task per message. A handler that raises gets
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


class PullWindow:
    """The pull requests this consumer has open, oldest first, as ``[expires_at, unfilled]``.

    JetStream fills open requests in order and ends each with a 408 status when
    it expires unfilled. A new request goes out when fewer than half a batch is
    still requested, or when the only open request is half-way through its life,
    so two overlap most of the time: one request lost in transit (its 408 never
    seen, which happens under load) then costs no stall, and entries past their
    expiry are dropped whether or not their 408 arrived.
    """

    GRACE_S = 0.1

    def __init__(self, batch: int, expires_s: float) -> None:
        self.batch = batch
        self.expires_s = expires_s
        self.open: deque[list[float]] = deque()

    def needs_request(self, now: float) -> bool:
        open_ = self.open
        while open_ and open_[0][0] + self.GRACE_S < now:
            open_.popleft()
        if not open_ or sum(entry[1] for entry in open_) <= self.batch // 2:
            return True
        return len(open_) == 1 and open_[0][0] - now < self.expires_s / 2

    def requested(self, now: float) -> None:
        self.open.append([now + self.expires_s, float(self.batch)])

    def delivered(self) -> None:
        if self.open:
            oldest = self.open[0]
            oldest[1] -= 1
            if oldest[1] <= 0:
                self.open.popleft()

    def ended(self) -> None:
        if self.open:
            self.open.popleft()

    def reset(self) -> None:
        self.open.clear()


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
        self._window = PullWindow(settings.read_batch, settings.poll_timeout_s)
        self._client: Client | None = None
        self._subscription: Subscription | None = None
        self._next_subject = ""
        self._inbox = ""
        self._requests = 0
        self.task: asyncio.Task[None] | None = None

    async def start(self, client: Client, stream: str) -> None:
        self._client = client
        self._next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{self.consumer_name}"
        self._inbox = client.new_inbox()
        self._requests = 0
        self._subscription = await client.subscribe(
            self._inbox + ".*",
            cb=self._on_message,
            pending_msgs_limit=self.settings.read_batch * 100,
        )
        self.task = asyncio.create_task(self._run(), name=f"nats-consumer:{self.group}")

    def connection_restored(self) -> None:
        """Forget pull requests: a restarted server no longer holds them."""
        self._window.reset()
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
        poll_s = self.settings.poll_timeout_s
        window = self._window
        request = json.dumps(
            {"batch": window.batch, "expires": int(poll_s * 1_000_000_000)}
        ).encode()
        queue = self._inbox_messages
        while not self._stopping:
            if window.needs_request(time.monotonic()):
                await self._request_more(request)
            if not queue:
                await self._wait_for_messages(poll_s / 4)
                continue
            while queue and not self._stopping:
                message = queue.popleft()
                if message.data:
                    window.delivered()
                    try:
                        await self._handle(message)
                    except (NatsError, BusUnavailableError) as error:
                        log.warning("group %s could not settle a message: %s", self.group, error)
                else:
                    self._on_status(message)
                if window.needs_request(time.monotonic()):
                    await self._request_more(request)

    async def _request_more(self, request: bytes) -> None:
        assert self._client is not None
        try:
            self._requests += 1
            await self._client.publish(
                self._next_subject, request, reply=f"{self._inbox}.{self._requests}"
            )
        except NatsError as error:
            log.warning("group %s cannot request messages: %s", self.group, error)
            await asyncio.sleep(self.settings.poll_timeout_s)
            return
        self._window.requested(time.monotonic())

    async def _wait_for_messages(self, timeout_s: float) -> None:
        self._arrived.clear()
        self._reading = True
        try:
            async with asyncio.timeout(timeout_s):  # no task per wait, unlike wait_for
                await self._arrived.wait()
        except TimeoutError:
            pass
        finally:
            self._reading = False

    def _on_status(self, message: Msg) -> None:
        headers = message.headers or {}
        status = headers.get("Status", "")
        if status in {"408", "409"}:
            self._window.ended()
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

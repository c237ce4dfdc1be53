"""The JetStream transport of the group consumer: open pull requests, ack, nak with delay, DLQ.

A ``NatsPullTransport`` serves one ``subscribe`` call. Its group is a durable
pull consumer on the events stream (an ephemeral one for anonymous
subscriptions); every handler of the group pulls from it, so they compete.

Pulling keeps pull requests open (``PullWindow``), so messages stream in
while earlier ones are handled; nats-py's ``fetch`` waits a round trip per
batch and costs a task per message. The engine (``bus.group_consumer``)
decides about retries: JetStream redelivers, so a failed event is NAKed with
the engine's delay, and a dead letter is stored on the dead-letter stream
before its event is acknowledged. A dead consumer's messages come back after
``ack_wait`` (``claim_idle_s``) with their delivery count.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import is_glob, matches
from tradestack.bus.group_consumer import Delivery
from tradestack.bus.port import DeadLetter
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


class NatsPullTransport:
    """Pulls from one JetStream consumer; the engine handles the messages in order."""

    redelivers = True

    def __init__(
        self,
        *,
        group: str,
        pattern: str,
        settings: BusSettings,
        dead_letter: DeadLetterWriter,
    ) -> None:
        self.group = group
        self.pattern = pattern
        self.settings = settings
        self.dead_letter = dead_letter
        self.consumer_name = ""
        self._check_type = is_glob(pattern)
        self._inbox_messages: deque[Msg] = deque()
        self._arrived = asyncio.Event()
        self._window = PullWindow(settings.read_batch, settings.poll_timeout_s)
        self._request = json.dumps(
            {"batch": settings.read_batch, "expires": int(settings.poll_timeout_s * 1e9)}
        ).encode()
        self._client: Client | None = None
        self._subscription: Subscription | None = None
        self._next_subject = ""
        self._inbox = ""
        self._requests = 0

    async def open(self, client: Client, stream: str) -> None:
        """Listen on a fresh inbox for what pull requests to ``stream`` bring."""
        self._client = client
        self._next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{self.consumer_name}"
        self._inbox = client.new_inbox()
        self._requests = 0
        self._window.reset()
        self._subscription = await client.subscribe(
            self._inbox + ".*",
            cb=self._on_message,
            pending_msgs_limit=self.settings.read_batch * 100,
        )

    def connection_restored(self) -> None:
        """Forget pull requests: a restarted server no longer holds them."""
        self._window.reset()
        self._arrived.set()

    # -- the transport -------------------------------------------------------------------------

    async def fetch(self) -> list[Delivery[Msg]]:
        window = self._window
        if window.needs_request(time.monotonic()):
            await self._request_more()
        queue = self._inbox_messages
        if not queue:
            await self._wait_for_messages(self.settings.poll_timeout_s / 4)
            return []
        batch: list[Delivery[Msg]] = []
        limit = window.batch
        while queue and len(batch) < limit:
            message = queue.popleft()
            if not message.data:
                self._on_status(message)
                continue
            window.delivered()
            try:
                event = decode_event(message.data)
            except msgspec.DecodeError as error:
                log.error("%s is not an event (%s); terminated", message.subject, error)
                await self._settle_one(message.term())
                continue
            if self._check_type and not matches(self.pattern, event.event_type):
                await self._settle_one(message.ack())
                continue
            batch.append((event, deliveries_of(message), message))
        if window.needs_request(time.monotonic()):
            await self._request_more()
        return batch

    async def settle(
        self,
        acks: list[Delivery[Msg]],
        naks: list[tuple[Delivery[Msg], float]],
        letters: list[tuple[Delivery[Msg], DeadLetter]],
    ) -> None:
        # One message at a time: one that cannot be settled comes back after ack_wait,
        # and must not keep the others from being settled.
        for _event, _deliveries, message in acks:
            await self._settle_one(message.ack())
        for (_event, _deliveries, message), delay_s in naks:
            await self._settle_one(message.nak(delay=delay_s))
        for (_event, _deliveries, message), letter in letters:
            try:
                await self.dead_letter(letter)
            except (NatsError, BusUnavailableError) as error:
                log.warning("group %s could not store a dead letter: %s", self.group, error)
                continue
            await self._settle_one(message.ack())

    async def release(self, deliveries: Sequence[Delivery[Msg]]) -> None:
        for _event, _deliveries, message in deliveries:
            await self._settle_one(message.nak())

    def wake(self) -> None:
        self._arrived.set()

    async def recover(self, error: Exception) -> bool:
        if isinstance(error, NatsError | BusUnavailableError):
            log.warning("group %s could not settle a batch: %s", self.group, error)
            return True
        return False

    async def close(self) -> None:
        """Stop listening and hand back what arrived but was never handled."""
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except NatsError as error:
                log.info("unsubscribe of %s failed: %s", self.group, error)
            self._subscription = None
        while self._inbox_messages:
            message = self._inbox_messages.popleft()
            if message.data and message.reply:
                await self._settle_one(message.nak())

    # -- NATS ----------------------------------------------------------------------------------

    async def _settle_one(self, reply: Awaitable[None]) -> None:
        try:
            await reply
        except NatsError as error:
            log.info("group %s could not settle a message: %s", self.group, error)

    async def _on_message(self, message: Msg) -> None:
        self._inbox_messages.append(message)
        self._arrived.set()

    async def _request_more(self) -> None:
        assert self._client is not None
        try:
            self._requests += 1
            await self._client.publish(
                self._next_subject, self._request, reply=f"{self._inbox}.{self._requests}"
            )
        except NatsError as error:
            log.warning("group %s cannot request messages: %s", self.group, error)
            await asyncio.sleep(self.settings.poll_timeout_s)
            return
        self._window.requested(time.monotonic())

    async def _wait_for_messages(self, timeout_s: float) -> None:
        self._arrived.clear()
        try:
            async with asyncio.timeout(timeout_s):  # no task per wait, unlike wait_for
                await self._arrived.wait()
        except TimeoutError:
            pass

    def _on_status(self, message: Msg) -> None:
        headers = message.headers or {}
        status = headers.get("Status", "")
        if status in {"408", "409"}:
            self._window.ended()
            if status == "409":
                log.info("group %s pull ended: %s", self.group, headers.get("Description"))
        elif status not in {"100", "404"}:
            log.warning("group %s got status %s from JetStream", self.group, status)

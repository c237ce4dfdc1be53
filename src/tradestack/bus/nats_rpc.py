"""Request/reply on core NATS: subject ``<ns>.rpc.<service>.<command>``, queue group ``rpc``.

Instances of a service share the queue group, so each request reaches one of
them. Core NATS answers "no responders" at once when nobody serves a subject;
that becomes a ``BusTimeoutError`` without waiting out the timeout.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError

from tradestack.bus.delivery import (
    RpcReply,
    RpcRequest,
    answer,
    decode_rpc_reply,
    decode_rpc_request,
    encode_rpc,
)
from tradestack.bus.port import RequestHandler
from tradestack.errors import BusTimeoutError, BusUnavailableError, RemoteCallError

log = logging.getLogger(__name__)

RPC_QUEUE = "rpc"


def check_token(kind: str, name: str) -> str:
    """Refuse names that would change a subject's shape (dots are allowed in event types)."""
    if not name or any(c in name for c in " \t\r\n*>") or ".." in name or name[0] == ".":
        raise ValueError(f"{kind} {name!r} cannot be used in a NATS subject")
    return name


class NatsRpc:
    """Serves this instance's commands and makes its calls over one NATS connection."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._handlers: dict[tuple[str, str], RequestHandler] = {}
        self._subscriptions: list[Subscription] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._client: Client | None = None

    def subject(self, service: str, command: str) -> str:
        check_token("service", service)
        check_token("command", command)
        return f"{self.namespace}.rpc.{service}.{command}"

    def serve(
        self, service: str, command: str, handler: RequestHandler
    ) -> asyncio.Task[None] | None:
        self.subject(service, command)
        self._handlers[(service, command)] = handler
        if self._client is None:
            return None
        return asyncio.create_task(self._listen(self._client, service, command))

    async def start(self, client: Client) -> None:
        self._client = client
        for service, command in self._handlers:
            await self._listen(client, service, command)

    async def close(self) -> None:
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except NatsError as error:
                log.info("rpc unsubscribe failed: %s", error)
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._client = None

    async def call(
        self, client: Client, service: str, command: str, params: dict[str, Any], timeout_s: float
    ) -> dict[str, Any]:
        data = encode_rpc(RpcRequest(command=command, params=params))
        try:
            message = await client.request(self.subject(service, command), data, timeout=timeout_s)
        except NoRespondersError:
            raise BusTimeoutError(f"no reply from {service}.{command}: nobody serves it") from None
        except TimeoutError:
            raise BusTimeoutError(
                f"no reply from {service}.{command} within {timeout_s} s"
            ) from None
        except NatsError as error:
            raise BusUnavailableError(f"cannot call {service}.{command}: {error}") from None
        try:
            reply = decode_rpc_reply(message.data)
        except msgspec.DecodeError as error:
            raise RemoteCallError(f"{service}.{command} sent a malformed reply: {error}") from None
        if reply.error is not None:
            raise RemoteCallError(f"{service}.{command} failed: {reply.error}")
        return reply.result or {}

    async def _listen(self, client: Client, service: str, command: str) -> None:
        handler = self._handlers[(service, command)]

        async def on_request(message: Msg) -> None:
            task = asyncio.create_task(self._answer(message, handler, service))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

        subscription = await client.subscribe(
            self.subject(service, command), queue=RPC_QUEUE, cb=on_request
        )
        self._subscriptions.append(subscription)

    async def _answer(self, message: Msg, handler: RequestHandler, service: str) -> None:
        try:
            request = decode_rpc_request(message.data)
        except msgspec.DecodeError as error:
            reply = RpcReply(error=f"DecodeError: {error}")
        else:
            reply = await answer(handler, request, service)
        try:
            await message.respond(encode_rpc(reply))
        except NatsError as error:
            log.warning("rpc server %s could not reply: %s", service, error)

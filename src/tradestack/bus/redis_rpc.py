"""Request/reply over Redis: a request stream per service, a reply list per caller.

A call XADDs ``{command, params, reply_to, deadline}`` to
``<ns>:rpc:<service>``; the service's instances share the consumer group
``rpc`` on it and read with NOACK, so a request is answered at most once. The
answer is RPUSHed to the caller's reply list ``<ns>:rpc:reply:<instance>``
with an expiry, where one BLPOP loop per caller hands it to the waiting call.
Requests past their deadline are dropped unanswered: their caller has given up.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from typing import Any

import msgspec
from redis.asyncio import Redis

from tradestack.bus.delivery import (
    Backoff,
    RpcReply,
    RpcRequest,
    answer,
    deadline_ms,
    decode_rpc_reply,
    decode_rpc_request,
    encode_rpc,
)
from tradestack.bus.port import RequestHandler
from tradestack.bus.redis_consumer import CONNECTION_ERRORS, create_group
from tradestack.config.settings import BusSettings
from tradestack.errors import BusTimeoutError, BusUnavailableError, RemoteCallError

log = logging.getLogger(__name__)

RPC_GROUP = "rpc"
REQUEST_FIELD = b"r"
REQUEST_STREAM_MAXLEN = 10_000
MAX_CONCURRENT_REQUESTS = 64
# RPUSH and EXPIRE as one command: one parse and one reply instead of a pipeline of two.
REPLY_SCRIPT = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisRpc:
    """Serves this instance's services and makes its calls."""

    def __init__(
        self,
        *,
        redis: Redis,
        blocking: Redis,
        namespace: str,
        instance: str,
        settings: BusSettings,
    ) -> None:
        self.redis = redis
        self.blocking = blocking
        self._send_reply = redis.register_script(REPLY_SCRIPT)
        self.namespace = namespace
        self.instance = instance
        self.settings = settings
        self.reply_key = f"{namespace}:rpc:reply:{instance}"
        self._handlers: dict[str, dict[str, RequestHandler]] = {}
        self._servers: dict[str, asyncio.Task[None]] = {}
        self._reading: set[str] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._limit = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)
        self._waiting: dict[str, asyncio.Future[RpcReply]] = {}
        self._reply_task: asyncio.Task[None] | None = None
        self._running = False
        self._stopping = False

    def request_stream(self, service: str) -> str:
        return f"{self.namespace}:rpc:{service}"

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        self._handlers.setdefault(service, {})[command] = handler
        if self._running and service not in self._servers:
            self._spawn_server(service)

    async def start(self) -> None:
        self._running = True
        for service in self._handlers:
            self._spawn_server(service)

    async def close(self) -> None:
        self._stopping = True
        self._running = False
        for service, task in self._servers.items():
            if service in self._reading:
                task.cancel()
        await asyncio.gather(*self._servers.values(), return_exceptions=True)
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._reply_task is not None:
            self._reply_task.cancel()
            await asyncio.gather(self._reply_task, return_exceptions=True)
        for future in self._waiting.values():
            future.cancel()

    async def call(
        self, service: str, command: str, params: dict[str, Any], timeout_s: float
    ) -> dict[str, Any]:
        if self._reply_task is None:
            self._reply_task = asyncio.create_task(self._receive_replies(), name="rpc-replies")
        request_id = uuid.uuid4().hex
        request = RpcRequest(
            command=command,
            params=params,
            request_id=request_id,
            reply_to=self.reply_key,
            deadline_ms=deadline_ms(timeout_s),
        )
        future: asyncio.Future[RpcReply] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            try:
                await self.redis.xadd(
                    self.request_stream(service),
                    {REQUEST_FIELD: encode_rpc(request)},
                    maxlen=REQUEST_STREAM_MAXLEN,
                    approximate=True,
                )
            except CONNECTION_ERRORS as error:
                raise BusUnavailableError(f"cannot send {service}.{command}: {error}") from None
            try:
                reply = await asyncio.wait_for(future, timeout_s)
            except TimeoutError:
                raise BusTimeoutError(
                    f"no reply from {service}.{command} within {timeout_s} s"
                ) from None
        finally:
            self._waiting.pop(request_id, None)
        if reply.error is not None:
            raise RemoteCallError(f"{service}.{command} failed: {reply.error}")
        return reply.result or {}

    def _spawn_server(self, service: str) -> None:
        self._servers[service] = asyncio.create_task(
            self._serve_loop(service), name=f"rpc-server:{service}"
        )

    async def _serve_loop(self, service: str) -> None:
        stream = self.request_stream(service)
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        created = False
        while not self._stopping:
            try:
                if not created:
                    await create_group(self.redis, stream, RPC_GROUP, "0")
                    created = True
                self._reading.add(service)
                try:
                    response = await self.blocking.xreadgroup(
                        RPC_GROUP,
                        self.instance,
                        {stream: ">"},
                        count=MAX_CONCURRENT_REQUESTS,
                        block=max(int(self.settings.poll_timeout_s * 1000), 1),
                        noack=True,
                    )
                finally:
                    self._reading.discard(service)
                backoff.reset()
            except CONNECTION_ERRORS as error:
                log.warning("rpc server %s lost Redis: %s; retrying", service, error)
                created = False
                await backoff.wait()
                continue
            for _stream, entries in response or ():
                for _entry_id, fields in entries:
                    await self._dispatch(service, fields)

    async def _dispatch(self, service: str, fields: dict[bytes, bytes] | None) -> None:
        try:
            request = decode_rpc_request((fields or {})[REQUEST_FIELD])
        except (KeyError, msgspec.DecodeError) as error:
            log.error("rpc server %s skips a malformed request: %s", service, error)
            return
        if request.deadline_ms and request.deadline_ms < time.time() * 1000:
            return
        await self._limit.acquire()
        task = asyncio.create_task(self._answer(service, request))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _answer(self, service: str, request: RpcRequest) -> None:
        try:
            handler = self._handlers.get(service, {}).get(request.command)
            if handler is None:
                reply = RpcReply(
                    request_id=request.request_id,
                    error=f"LookupError: {service} does not serve {request.command!r}",
                )
            else:
                reply = await answer(handler, request, service)
            ttl_s = max(math.ceil(request.deadline_ms / 1000 - time.time()), 1) + 5
            await self._send_reply(keys=[request.reply_to], args=[encode_rpc(reply), ttl_s])
        except CONNECTION_ERRORS as error:
            log.warning("rpc server %s could not reply: %s", service, error)
        finally:
            self._limit.release()

    async def _receive_replies(self) -> None:
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        timeout_s = max(self.settings.poll_timeout_s, 0.1)
        while not self._stopping:
            try:
                item = await self.blocking.blpop([self.reply_key], timeout=timeout_s)
                backoff.reset()
            except CONNECTION_ERRORS as error:
                log.warning("rpc replies lost Redis: %s; retrying", error)
                await backoff.wait()
                continue
            if item is None:
                continue
            try:
                reply = decode_rpc_reply(item[1])
            except msgspec.DecodeError as error:
                log.error("malformed rpc reply skipped: %s", error)
                continue
            future = self._waiting.get(reply.request_id)
            if future is not None and not future.done():
                future.set_result(reply)

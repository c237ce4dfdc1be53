"""Where the NATS adapter keeps things: stream, subject and consumer names, and their configs.

Shared by the bus (``nats_jetstream``) and the migration admin (``nats_admin``)
so both create streams and group consumers exactly alike.
"""

from __future__ import annotations

import hashlib
import re

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from tradestack.bus.delivery import is_glob
from tradestack.bus.nats_rpc import check_token
from tradestack.config.settings import BusSettings


class NatsNames:
    """Stream, subject and consumer names under one namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        base = re.sub(r"[^A-Za-z0-9_-]", "_", namespace).upper()
        self.events_stream = f"{base}_EVENTS"
        self.dlq_stream = f"{base}_DLQ"
        self.events_prefix = f"{namespace}.events."
        self._subjects: dict[str, str] = {}

    def subject(self, event_type: str) -> str:
        subject = self._subjects.get(event_type)
        if subject is None:
            subject = self.events_prefix + check_token("event type", event_type)
            self._subjects[event_type] = subject
        return subject

    def filter_subject(self, pattern: str) -> str:
        """Return the narrowest subject filter covering every type ``pattern`` matches."""
        if not is_glob(pattern):
            return self.subject(pattern)
        tokens: list[str] = []
        for token in pattern.split("."):
            if is_glob(token):
                tokens.append(">")
                break
            tokens.append(token)
        return self.events_prefix + ".".join(tokens)

    def dlq_subject(self, group: str) -> str:
        return f"{self.namespace}.dlq.{self.durable(group)}"

    @staticmethod
    def durable(group: str) -> str:
        clean = re.sub(r"[^A-Za-z0-9_:-]", "_", group)
        if clean == group:
            return group
        return f"{clean}_{hashlib.sha1(group.encode()).hexdigest()[:8]}"

    def event_type(self, subject: str) -> str:
        return subject.removeprefix(self.events_prefix)


async def ensure_streams(js: JetStreamContext, names: NatsNames, settings: BusSettings) -> None:
    """Create the events and dead-letter streams unless they exist."""
    for name, subjects, per_subject in (
        (names.events_stream, [f"{names.namespace}.events.>"], settings.stream_maxlen),
        (names.dlq_stream, [f"{names.namespace}.dlq.>"], -1),
    ):
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=name,
                    subjects=subjects,
                    retention=RetentionPolicy.LIMITS,
                    storage=StorageType.FILE,
                    discard=DiscardPolicy.OLD,
                    max_msgs_per_subject=per_subject,
                    max_msgs=-1 if per_subject > 0 else settings.stream_maxlen,
                )
            )


def group_consumer_config(
    names: NatsNames, settings: BusSettings, *, group: str, pattern: str, durable: bool
) -> ConsumerConfig:
    """Return the pull consumer of ``group``: new events only, explicit acks, no server cap.

    ``max_deliver`` is enforced by the adapter (it dead-letters with the error),
    so the server redelivers without limit and never drops a message silently.
    """
    name = names.durable(group)
    return ConsumerConfig(
        name=name,
        durable_name=name if durable else None,
        description=f"{group} <- {pattern}",
        deliver_policy=DeliverPolicy.NEW,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.claim_idle_s,
        max_deliver=-1,
        filter_subject=names.filter_subject(pattern),
        max_ack_pending=max(settings.read_batch * 20, 1_000),
        inactive_threshold=None if durable else max(settings.claim_idle_s * 4, 30.0),
    )


def group_and_pattern(description: str | None) -> tuple[str, str] | None:
    """Recover ``(group, pattern)`` from a consumer made by ``group_consumer_config``."""
    if not description or " <- " not in description:
        return None
    group, _, pattern = description.partition(" <- ")
    return group, pattern

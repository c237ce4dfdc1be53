"""A consumer as its own OS process, for the kill test: records every handled event id.

Usage: ``python consumer_process.py KIND URL NAMESPACE GROUP OUTPUT [CLAIM_IDLE_S]``.
Each id is written to OUTPUT with an unbuffered ``os.write`` before the handler
returns (so before the bus acknowledges it): when the process is killed, the
file holds at least every id the broker counts as done. Prints ``ready`` once
subscribed, then runs until killed or sent SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tradestack.bus.factory import build_bus_for
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event


async def main(kind: str, url: str, namespace: str, group: str, output: str, idle_s: str) -> None:
    options = BusSettings(
        namespace=namespace,
        claim_idle_s=float(idle_s),
        poll_timeout_s=0.2,
        discover_interval_s=0.2,
        retry_backoff_s=0.01,
    )
    bus = build_bus_for(kind, url, options)  # type: ignore[arg-type]
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    async def record(event: Event) -> None:
        os.write(fd, event.event_id.encode() + b"\n")

    bus.subscribe("load.*", record, group=group)
    await bus.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await bus.close()
    os.close(fd)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) == 5:
        arguments.append("1.0")
    asyncio.run(main(*arguments))

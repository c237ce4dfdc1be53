"""The run port probe: a port in TIME_WAIT is free (as uvicorn sees it); a listener is not."""

from __future__ import annotations

import socket

import pytest

from tradestack.cli.run_cmd import check_port_free
from tradestack.errors import ConfigError


def _port_in_time_wait() -> int:
    """Leave a server-side connection in TIME_WAIT: what Ctrl-C on a serving API leaves behind."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = int(listener.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server closes first, so its end waits in TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    return port


def _bind_plainly(port: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_a_port_in_time_wait_is_accepted() -> None:
    port = _port_in_time_wait()
    with pytest.raises(OSError):  # what the old probe did, and why it refused
        _bind_plainly(port)
    check_port_free("127.0.0.1", port)


def test_a_port_with_a_listener_is_refused() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_port_free("127.0.0.1", port)

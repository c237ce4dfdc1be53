"""Shared console and the one-line error exit used by every command."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(code)

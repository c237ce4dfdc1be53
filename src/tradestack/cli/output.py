"""Shared console and the one-line error exit used by every command."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

# Piped or redirected output is never cut to 80 columns: tables keep their natural width
# (scripts that want fields use --json).
_WIDTH = None if sys.stdout.isatty() else 10_000
console = Console(highlight=False, soft_wrap=True, width=_WIDTH)
errors = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(code)

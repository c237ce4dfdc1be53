"""The ``--config`` option every command shares, and settings loading for commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config file (default: $TRADESTACK_CONFIG)."),
]


def settings_from(config: Path | None) -> Settings:
    settings = load_settings(config)
    from tradestack.strategy.registry import configure  # strategies dir follows the home

    configure(home=settings.home, strategy_path=settings.strategy_path)
    return settings

"""The ``--strategy-path DIR`` option of ``backtest``, ``trader add``, ``run`` and ``strategy``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _use(directories: list[Path] | None) -> list[Path] | None:
    from tradestack.strategy.registry import add_strategy_path

    for directory in directories or ():
        add_strategy_path(directory)
    return directories


StrategyPathOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--strategy-path",
        help="Also load every *.py strategy in DIR (repeatable; see docs/strategies.md).",
        callback=_use,
    ),
]

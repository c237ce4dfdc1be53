"""The reliability suite: the scenarios of ``bench.reliability_cases`` at sizes that fit CI.

``python -m bench.reliability`` runs the same scenarios at full size and prints
the figures; here each one must hold. Short CLI commands run in this
interpreter (the same code, without seconds of imports per command); ``run``
and ``up`` are always real processes that get killed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.reliability_cases import process


@pytest.fixture(autouse=True)
def _short_commands_in_process() -> Iterator[None]:
    process.use_in_process(True)
    yield
    process.use_in_process(False)

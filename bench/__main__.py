"""Run every benchmark in turn: ``make bench`` or ``python -m bench [--quick]``."""

from __future__ import annotations

import sys

from bench import (
    api,
    assistant,
    backtest,
    bus,
    data,
    execution,
    migrate,
    reliability,
    replay,
    services_latency,
    strategy_sdk,
    traders_scale,
)

BENCHES = [
    replay,
    traders_scale,
    services_latency,
    execution,
    bus,
    data,
    backtest,
    strategy_sdk,
    migrate,
    api,
    reliability,
    assistant,
]


def main() -> None:
    quick = "--quick" in sys.argv
    for module in BENCHES:
        module.main(quick=quick)


if __name__ == "__main__":
    main()

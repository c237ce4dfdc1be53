"""Run every benchmark in turn: ``make bench`` or ``python -m bench [--quick]``."""

from __future__ import annotations

import sys

from bench import api, assistant, backtest, bus, data, execution, migrate, reliability, replay

BENCHES = [replay, execution, bus, data, backtest, migrate, api, reliability, assistant]


def main() -> None:
    quick = "--quick" in sys.argv
    for module in BENCHES:
        module.main(quick=quick)


if __name__ == "__main__":
    main()

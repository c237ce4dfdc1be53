"""Reliability scenarios shared by ``tests/reliability`` (small sizes) and ``bench.reliability``.

Each module runs one scenario against the real CLI as an OS process and returns
an :class:`~bench.reliability_cases.outcome.Outcome`: what was injected, what
must hold, the counts measured and the recovery times. Tests assert on it; the
bench prints it as a table, so the two can never disagree.
"""

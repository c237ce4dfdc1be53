"""One set of display rules: the Python module and the dashboard's format.js agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.display import format as fmt

FORMAT_JS = Path(fmt.__file__).parents[1] / "api" / "static" / "js" / "format.js"

CASES: list[tuple[str, list[object], str]] = [
    ("money", ["9081.57808546"], "9,081.58"),
    ("money", ["-35.884"], "-35.88"),
    ("money", ["-0.001"], "0.00"),
    ("money", [None], "–"),
    ("percent", [-9.1843], "-9.18 %"),
    ("percent", [12], "12.00 %"),
    ("price", ["104523.1234"], "104,523.12"),
    ("price", ["1.23456789"], "1.2346"),
    ("price", ["0.000123456"], "0.00012346"),
    ("price", ["104.5", 1], "104.5"),
    ("quantity", ["0.01050000"], "0.0105"),
    ("quantity", ["3"], "3"),
    ("quantity", ["1.23456", 3], "1.235"),
    ("duration", [34_732_800.0], "402 d"),
    ("duration", [34_743_600], "402 d 3 h"),
    ("duration", [303], "5 min 3 s"),
    ("duration", [42], "42 s"),
    ("duration", [0], "0 s"),
    ("timeframe", ["1m"], "1 min"),
    ("timeframe", ["15m"], "15 min"),
    ("timeframe", ["1h"], "1 h"),
    ("timeframe", ["1d"], "1 d"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_python_rules(name: str, args: list[object], expected: str) -> None:
    assert getattr(fmt, name)(*args) == expected


def test_money_has_two_decimals_whatever_the_input() -> None:
    assert fmt.money(Decimal("10000")) == "10,000.00"
    assert fmt.money(Decimal("12.5"), sign=True) == "+12.50"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_dashboard_formats_like_the_cli() -> None:
    script = (
        f"import * as f from {json.dumps(FORMAT_JS.as_uri())};"
        f"const cases = {json.dumps([[n, a] for n, a, _ in CASES])};"
        "console.log(JSON.stringify(cases.map(([n, a]) => f[n](...a))));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert json.loads(out.stdout) == [expected for _, _, expected in CASES]

"""The complete v2 example in docs/strategies.md passes ``strategy check``."""

import re
from pathlib import Path

import pytest

from tradestack.strategy import registry
from tradestack.strategy.check import check, entries_for

DOC = Path(__file__).resolve().parents[3] / "docs" / "strategies.md"


@pytest.mark.slow
def test_the_guide_example_passes_strategy_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path))
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    example = next(b for b in blocks if "class RsiDips(StrategyV2)" in b)
    path = tmp_path / "strategies" / "rsi_dips.py"
    path.parent.mkdir()
    path.write_text(example)
    (entry,) = entries_for(str(path))
    result = check(entry)
    assert result.passed, result.lines
    assert [name for name, _, _ in result.lines] == [
        "import",
        "interface",
        "parameters",
        "smoke backtest",
        "lookahead",
    ]

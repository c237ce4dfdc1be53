"""strategy check (lookahead caught), new (passes check) and migrate (v1 decides the same)."""

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from tests.unit.factories import bars_from_closes
from tradestack.errors import ConfigError
from tradestack.strategy import registry
from tradestack.strategy.check import check, entries_for, synthetic_bars
from tradestack.strategy.loader import load_file
from tradestack.strategy.migrate import migrate_file, migrate_source
from tradestack.strategy.scaffold import new_strategy

HONEST = """
import pandas as pd
from tradestack.strategy.vector import VectorStrategy


class Honest(VectorStrategy):
    name = "honest"
    window = 60

    def populate(self, frame: pd.DataFrame) -> pd.DataFrame:
        mean = frame["close"].rolling(20).mean()
        frame["enter_long"] = frame["close"] > mean
        frame["exit_long"] = frame["close"] < mean
        return frame
"""

LEAKY = (
    HONEST.replace("Honest", "Leaky")
    .replace('"honest"', '"leaky"')
    .replace('frame["close"] > mean', 'frame["close"].shift(-1) > frame["close"]')
)

V1 = '''"""A v1 strategy."""

from collections import deque

from tradestack.domain.enums import SignalSide
from tradestack.strategy.base import Parameter, Strategy


class Momentum(Strategy):
    name = "momentum_v1"
    parameters = (Parameter("lookback", int, 3, minimum=1),)

    def __init__(self, **params):
        super().__init__(**params)
        self.closes = deque(maxlen=int(self.params["lookback"]) + 1)

    def on_bar(self, bar, context):  # decides on closes only
        """Buy when the close beats the one ``lookback`` bars ago."""
        self.closes.append(bar.close)
        if len(self.closes) > self.params["lookback"] and bar.close > self.closes[0]:
            return (self.signal(bar, SignalSide.BUY, context),)
        if len(self.closes) > self.params["lookback"] and bar.close < self.closes[0]:
            return (self.signal(bar, SignalSide.SELL, context),)
        return ()
'''


class Ctx:
    trader_id = "alice"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TRADESTACK_STRATEGY_PATH", raising=False)
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def lines_of(path: Path) -> dict[str, tuple[bool, str]]:
    (entry,) = entries_for(str(path))
    return {name: (ok, detail) for name, ok, detail in check(entry).lines}


@pytest.mark.slow
def test_check_passes_an_honest_vectorised_strategy_and_catches_a_leaky_one(
    tmp_path: Path,
) -> None:
    honest = lines_of(write(tmp_path / "s" / "honest.py", HONEST))
    assert all(ok for ok, _ in honest.values()), honest
    leaky = lines_of(write(tmp_path / "t" / "leaky.py", LEAKY))
    ok, detail = leaky["lookahead"]
    assert not ok and "uses later bars" in detail
    assert leaky["smoke backtest"][0]  # it runs; only the lookahead check can tell


@pytest.mark.slow
def test_new_strategy_writes_a_file_and_test_that_pass_check(tmp_path: Path) -> None:
    path, test_path = new_strategy("dip_buyer", tmp_path / "strategies")
    assert test_path.parent.name == "tests" and test_path.exists()
    result = lines_of(path)
    assert all(ok for ok, _ in result.values()), result
    with pytest.raises(ConfigError, match="already exists"):
        new_strategy("dip_buyer", tmp_path / "strategies")
    with pytest.raises(ConfigError, match="lower-case"):
        new_strategy("Bad-Name", tmp_path / "strategies")


def test_migrate_rewrites_a_v1_file_that_then_decides_exactly_as_before(tmp_path: Path) -> None:
    original = write(tmp_path / "v1" / "momentum.py", V1)
    migrated_path = tmp_path / "v2" / "momentum.py"
    migrated_path.parent.mkdir()
    migration = migrate_file(original, output=migrated_path)
    assert migration.ok, migration.problems
    text = migrated_path.read_text()
    assert "class Momentum(StrategyV2):" in text
    assert "def next(self, data: BarData):" in text
    assert "bar, context = data.bar, data.context" in text
    assert "# decides on closes only" in text
    (old,), _ = load_file(original.resolve())
    (new,), _ = load_file(migrated_path.resolve())
    assert new.cls.INTERFACE_VERSION == 2 and old.cls.INTERFACE_VERSION == 1
    bars = synthetic_bars(300, "1m")
    sides = []
    for cls in (old.cls, new.cls):
        strategy = cls(lookback=4)
        sides.append([(i, s.side) for i, b in enumerate(bars) for s in strategy.on_bar(b, Ctx())])
    assert sides[0] == sides[1] and len(sides[0]) > 20


def test_migrate_in_place_keeps_a_backup_and_reports_what_it_cannot_do(tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", V1)
    assert migrate_file(path).ok
    assert (tmp_path / "m.py.v1.bak").read_text() == textwrap.dedent(V1)
    again = migrate_source(path.read_text(), "m.py")
    assert again.problems == ["m.py: already interface version 2"]
    asynchronous = V1.replace("def on_bar", "async def on_bar")
    assert "on_bar is async" in migrate_source(asynchronous, "a.py").problems[0]
    odd = V1.replace("def on_bar(self, bar, context)", "def on_bar(self, bar)")
    assert "not (self, bar, context)" in migrate_source(odd, "o.py").problems[0]
    assert "no class derived from Strategy" in migrate_source("x = 1\n", "x.py").problems[0]


def test_migrated_file_runs_in_a_trader_bar_by_bar(tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", V1)
    migrate_file(path)
    (found,), _ = load_file(path.resolve())
    strategy = found.cls(lookback=2)
    out = [
        s.side.value
        for b in bars_from_closes([1, 2, 3, 4, 3, 2])
        for s in strategy.on_bar(b, Ctx())
    ]
    assert out == ["BUY", "BUY", "SELL"]

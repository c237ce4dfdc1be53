"""Each source of strategies, each loading error, and the seed 003 template through its adapter."""

import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from tests.unit.factories import bars_from_closes
from tradestack.errors import ConfigError, NotFoundError
from tradestack.strategy import registry
from tradestack.strategy.registry import catalog, create_strategy, find_strategy

V1_FILE = """
from tradestack.domain.enums import SignalSide
from tradestack.strategy.base import Parameter, Strategy


class EveryOther(Strategy):
    name = "{name}"
    parameters = (Parameter("step", int, 2, minimum=1),)

    def __init__(self, **params):
        super().__init__(**params)
        self.count = 0

    def on_bar(self, bar, context):
        self.count += 1
        if self.count % int(self.params["step"]) == 0:
            return (self.signal(bar, SignalSide.BUY, context),)
        return ()
"""

SEED_TEMPLATE = '''
from strategies.base import BaseStrategy
from typing import List, Dict, Any


class MigratedStrategy(BaseStrategy):
    """Template for migrating v2 strategies to v3."""

    def __init__(self, v2_strategy_config: Dict[str, Any]):
        super().__init__()
        self.migrate_config(v2_strategy_config)

    def migrate_config(self, v2_config: Dict[str, Any]):
        self.config = {
            'name': v2_config.get('strategy_name', 'migrated_strategy'),
            'timeframe': v2_config.get('interval', '5m'),
            'risk_params': {'stop_loss': v2_config.get('stop_loss_pct', 0.02)},
        }

    async def analyze(self, market_data: Dict) -> List[Dict]:
        signals = []
        closes = market_data['history']['close']
        flat = market_data['position'] == 0
        if len(closes) >= 3 and closes[-1] > closes[-2] > closes[-3] and flat:
            signals.append({'symbol': market_data['symbol'], 'action': 'BUY', 'quantity': 2})
        elif len(closes) >= 2 and closes[-1] < closes[-2] and market_data['position'] > 0:
            signals.append({'symbol': market_data['symbol'], 'action': 'CLOSE'})
        return signals
'''


class Ctx:
    trader_id = "alice"
    held = Decimal(0)

    def position_quantity(self, symbol: str) -> Decimal:
        return self.held


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("TRADESTACK_HOME", str(home))
    monkeypatch.delenv("TRADESTACK_STRATEGY_PATH", raising=False)
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})
    return home


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def test_builtins_are_listed_with_source_and_interface(isolated: Path) -> None:
    entry = find_strategy("sma_cross")
    described = entry.describe()
    assert described["source"] == "builtin" and described["interface_version"] == 1
    assert [p["name"] for p in described["parameters"]] == ["fast", "slow"]


def test_home_strategies_directory_and_strategy_path_both_load(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_file = write(isolated / "strategies", "a.py", V1_FILE.format(name="from_home"))
    other = tmp_path / "elsewhere"
    write(other, "b.py", V1_FILE.format(name="from_env"))
    monkeypatch.setenv("TRADESTACK_STRATEGY_PATH", str(other))
    entries = catalog().entries
    assert entries["from_home"].source == "file" and entries["from_home"].location == str(
        home_file.resolve()
    )
    assert entries["from_env"].source == "file"
    strategy = create_strategy("from_env", {"step": 3})
    signals = [s for b in bars_from_closes([1.0] * 6) for s in strategy.on_bar(b, Ctx())]
    assert len(signals) == 2


def test_strategy_path_option_adds_a_directory_for_this_process_and_children(
    tmp_path: Path,
) -> None:
    extra = tmp_path / "cli"
    write(extra, "c.py", V1_FILE.format(name="from_option"))
    with pytest.raises(NotFoundError, match="unknown strategy 'from_option'"):
        create_strategy("from_option")
    registry.add_strategy_path(extra)
    assert create_strategy("from_option").name == "from_option"
    import os

    assert str(extra.resolve()) in os.environ["TRADESTACK_STRATEGY_PATH"]
    with pytest.raises(ConfigError, match="not a directory"):
        registry.add_strategy_path(tmp_path / "missing")


def test_a_broken_file_is_one_line_with_file_and_line_and_the_others_still_load(
    isolated: Path,
) -> None:
    directory = isolated / "strategies"
    write(directory, "good.py", V1_FILE.format(name="good"))
    broken = write(directory, "broken.py", "import math\n\ndef f(:\n    pass\n")
    raises = write(directory, "raises.py", "x = 1\nraise RuntimeError('no config here')\n")
    found = catalog()
    assert "good" in found.entries
    lines = sorted(str(p) for p in found.problems)
    assert lines == sorted(
        [
            f"{broken.resolve()}:3: SyntaxError: invalid syntax",
            f"{raises.resolve()}:2: RuntimeError: no config here",
        ]
    )


def test_two_strategies_with_one_name_is_an_error_naming_both_files(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(isolated / "strategies", "one.py", V1_FILE.format(name="twin"))
    second = write(tmp_path / "more", "two.py", V1_FILE.format(name="twin"))
    monkeypatch.setenv("TRADESTACK_STRATEGY_PATH", str(tmp_path / "more"))
    with pytest.raises(ConfigError) as caught:
        create_strategy("twin")
    assert str(first.resolve()) in str(caught.value) and str(second.resolve()) in str(caught.value)
    clash = write(isolated / "strategies", "clash.py", V1_FILE.format(name="sma_cross"))
    with pytest.raises(ConfigError, match="sma_cross.*defined twice.*" + clash.name):
        create_strategy("sma_cross")


def test_module_class_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "mypkg"
    write(package, "__init__.py", "")
    write(package, "strats.py", V1_FILE.format(name="by_reference"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    strategy = create_strategy("mypkg.strats:EveryOther", {"step": 1})
    assert strategy.name == "by_reference"
    assert find_strategy("mypkg.strats:EveryOther").source == "module"
    with pytest.raises(NotFoundError, match="has no class Nope"):
        create_strategy("mypkg.strats:Nope")
    with pytest.raises(NotFoundError, match="cannot import"):
        create_strategy("nopkg.nothing:X")


def test_installed_entry_point_is_found_through_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    write(site / "tinystrat", "__init__.py", V1_FILE.format(name="from_package"))
    dist_info = site / "tinystrat-1.2.0.dist-info"
    write(dist_info, "METADATA", "Metadata-Version: 2.1\nName: tinystrat\nVersion: 1.2.0\n")
    write(
        dist_info,
        "entry_points.txt",
        "[tradestack.strategies]\nevery_other = tinystrat:EveryOther\n",
    )
    monkeypatch.syspath_prepend(str(site))
    entry = catalog().entries["from_package"]
    assert entry.source == "entry_point"
    assert entry.location == "entry point every_other (tinystrat 1.2.0)"
    assert create_strategy("from_package").name == "from_package"
    sys.modules.pop("tinystrat", None)


def test_seed003_template_runs_through_its_adapter(isolated: Path) -> None:
    write(isolated / "strategies", "migrated.py", SEED_TEMPLATE)
    entry = find_strategy("migrated_strategy")
    assert entry.interface == "seed003 v2 (analyze)"
    strategy = create_strategy("migrated_strategy", {"stop_loss_pct": 0.05})
    assert strategy.inner.config["risk_params"]["stop_loss"] == 0.05  # type: ignore[attr-defined]
    ctx = Ctx()
    out = []
    for bar in bars_from_closes([10, 11, 12, 13, 12, 11]):
        for signal in strategy.on_bar(bar, ctx):
            out.append((signal.side.value, signal.target_quantity))
            ctx.held = Decimal(2) if signal.side.value == "BUY" else Decimal(0)
    assert out == [("BUY", 2.0), ("CLOSE", None)]

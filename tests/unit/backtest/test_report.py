import json
from decimal import Decimal as D
from pathlib import Path

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.metrics import compute
from tradestack.backtest.report import MAX_TRADE_ROWS, render_html, write_report
from tradestack.backtest.summary import JSON_KEYS, cli_json, encode, equity_points
from tradestack.backtest.vector.engine import run_vector


def test_long_runs_give_a_bounded_self_contained_page() -> None:
    config = BacktestConfig("sma_cross", {"fast": 3, "slow": 8}, cash=D(10_000_000))
    result = run_vector(synthetic(200_000), config)
    assert len(result.trades) > MAX_TRADE_ROWS
    html = render_html(result, compute(result))
    assert len(html) < 600_000
    assert html.count("<svg") == 3 and "<script" not in html
    assert f"First {MAX_TRADE_ROWS} of {len(result.trades):,} trades" in html
    assert html.count('class="entry"') == 500  # markers are capped too


def test_json_has_exactly_the_stable_keys_and_thin_equity() -> None:
    result = run_vector(synthetic(5_000), BacktestConfig("sma_cross", cash=D(1_000_000)))
    body = cli_json(result, compute(result))
    assert tuple(body) == JSON_KEYS
    assert encode(body).startswith(b'{"trades":')
    points = equity_points(result, points=100)
    assert len(points) == 100 and points[-1][1] == result.equity[-1]
    assert points[0][0] == "2024-01-01T00:00:00Z"


def test_a_json_report_holds_the_whole_run(tmp_path: Path) -> None:
    result = run_vector(synthetic(5_000), BacktestConfig("sma_cross", cash=D(1_000_000)))
    write_report(tmp_path / "run.json", result, compute(result))
    body = json.loads((tmp_path / "run.json").read_text())
    assert body["strategy"] == "sma_cross" and body["trades"] == len(result.trades)
    assert len(body["trade_list"]) == len(result.trades) and body["metrics"]["trades"] > 0

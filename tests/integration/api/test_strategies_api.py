"""GET /api/v1/strategies lists every source with its interface; nothing can be uploaded."""

from pathlib import Path

import httpx
import pytest

from tradestack.strategy import registry

V2_FILE = """
from tradestack.strategy.base import Parameter
from tradestack.strategy.indicators import Indicator
from tradestack.strategy.v2 import StrategyV2


class Dips(StrategyV2):
    name = "dips"
    window = 40
    parameters = (Parameter("period", int, 14, minimum=2),)

    def indicators(self):
        return [Indicator("rsi", "RSI", timeperiod=self.params["period"])]

    def next(self, data):
        return data.buy() if data["rsi"] < 30 else None
"""


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "user-strategies"
    directory.mkdir()
    (directory / "dips.py").write_text(V2_FILE)
    monkeypatch.setenv("TRADESTACK_STRATEGY_PATH", str(directory))
    monkeypatch.setattr(registry, "_extra_directories", [])
    monkeypatch.setattr(registry, "_configured", {})


async def test_list_shows_source_interface_and_parameters(api: httpx.AsyncClient) -> None:
    answer = await api.get("/api/v1/strategies")
    assert answer.status_code == 200
    by_name = {s["name"]: s for s in answer.json()}
    assert by_name["sma_cross"]["source"] == "builtin"
    assert by_name["sma_cross"]["interface_version"] == 1
    dips = by_name["dips"]
    assert dips["source"] == "file" and dips["location"].endswith("dips.py")
    assert dips["interface_version"] == 2 and dips["interface"] == "tradestack v2"
    assert dips["parameters"][0]["name"] == "period"
    one = await api.get("/api/v1/strategies/dips")
    assert one.status_code == 200 and one.json() == dips


async def test_the_api_offers_no_way_to_upload_code(api: httpx.AsyncClient) -> None:
    for method in ("POST", "PUT", "PATCH"):
        answer = await api.request(method, "/api/v1/strategies", json={"code": "import os"})
        assert answer.status_code in (401, 405)
    missing = await api.get("/api/v1/strategies/nope")
    assert missing.status_code == 404
    reference = await api.get("/api/v1/strategies/os:PathLike")  # never imported on request
    assert reference.status_code == 404

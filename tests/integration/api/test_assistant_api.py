"""POST /api/v1/assistant and its confirmations over HTTP, plus /ready and /metrics for the LLM."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from tests.integration.api.conftest import LOOPBACK, REMOTE
from tradestack.api.app import build_api
from tradestack.auth.roles import Role
from tradestack.kernel import Kernel
from tradestack.llm.errors import LlmUnavailableError
from tradestack.llm.port import ChatReply, Message, ToolSpec
from tradestack.llm.scripted import ScriptedModel, call, reply


class Down(ScriptedModel):
    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> ChatReply:
        raise LlmUnavailableError("http://127.0.0.1:1/v1 cannot be reached", retryable=False)


def _client(
    app: object, token: str | None = None, where: tuple[str, int] = REMOTE
) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app, client=where)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)


async def _status(kernel: Kernel) -> str:
    return next(s.status for s in await kernel.traders.specs() if s.trader_id == "default")


async def test_ask_over_http_proposes_and_only_an_admin_token_confirms(
    kernel: Kernel, tokens: dict[Role, str]
) -> None:
    app = build_api(kernel)
    app.state.llm_model = ScriptedModel(
        [
            reply(None, call("list_traders"), call("stop_trader", {"trader_id": "default"})),
            reply("default is running; I proposed stopping it."),
        ]
    )
    async with _client(app, tokens[Role.VIEWER]) as viewer:
        # Asking may create proposals: it needs the trader role, like any change.
        refused_ask = await viewer.post("/api/v1/assistant", json={"question": "stop default"})
        assert refused_ask.status_code == 403
    async with _client(app, tokens[Role.TRADER]) as trader:
        asked = await trader.post("/api/v1/assistant", json={"question": "stop default"})
        assert asked.status_code == 200, asked.text
        body = asked.json()
        assert body["answer"] == "default is running; I proposed stopping it."
        assert body["tools"] == [
            {"name": "list_traders", "status": "ran"},
            {"name": "stop_trader", "status": "proposed"},
        ]
        confirmation_id = body["proposals"][0]["confirmation_id"]
        listed = (await trader.get("/api/v1/assistant/confirmations")).json()
        assert [p["confirmation_id"] for p in listed] == [confirmation_id]
        refused = await trader.post(f"/api/v1/assistant/confirmations/{confirmation_id}/confirm")
        assert refused.status_code == 403 and "admin" in refused.json()["error"]["message"]
    async with _client(app, where=LOOPBACK) as anonymous:
        nobody = await anonymous.post(f"/api/v1/assistant/confirmations/{confirmation_id}/confirm")
        assert nobody.status_code == 401
    assert await _status(kernel) == "active"
    async with _client(app, tokens[Role.ADMIN]) as admin:
        done = await admin.post(f"/api/v1/assistant/confirmations/{confirmation_id}/confirm")
        assert done.status_code == 200 and done.json()["status"] == "executed"
        again = await admin.post(f"/api/v1/assistant/confirmations/{confirmation_id}/confirm")
        assert again.status_code == 409
    assert await _status(kernel) == "stopped"


async def test_ready_and_metrics_show_the_provider(kernel: Kernel, tokens: dict[Role, str]) -> None:
    app = build_api(kernel)
    async with _client(app, where=LOOPBACK) as api:
        ready = await api.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "bus": "ok", "llm:openai": "ok"}
        assert ready.json()["llm"][0]["status"] == "off"
        anonymous_ask = await api.post("/api/v1/assistant", json={"question": "hi"})
        assert anonymous_ask.status_code == 401
    async with _client(app, tokens[Role.TRADER]) as api:
        off = await api.post("/api/v1/assistant", json={"question": "hi"})
        assert off.status_code == 409 and "assistant is off" in off.json()["error"]["message"]

    app = build_api(kernel)
    app.state.llm_model = Down([])
    async with _client(app, tokens[Role.TRADER]) as api:
        failed = await api.post("/api/v1/assistant", json={"question": "hi"})
        assert failed.status_code == 503 and "cannot be reached" in failed.text
        ready = await api.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["llm:scripted"].endswith("cannot be reached")
        metrics = (await api.get("/metrics")).text
        labels = 'model="scripted",outcome="error",provider="scripted"'
        assert f"tradestack_llm_requests_total{{{labels}}} 1.0" in metrics
        health = (await api.get("/api/v1/assistant/health")).json()
        assert health["provider"] == "scripted" and health["budget"]["tokens_used"] == 0

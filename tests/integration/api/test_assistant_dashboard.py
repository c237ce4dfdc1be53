"""The dashboard mounts the assistant's chat panel from its own module and stylesheet."""

from __future__ import annotations

import httpx


async def test_the_chat_panel_module_is_served_and_mounted(api: httpx.AsyncClient) -> None:
    page = (await api.get("/")).text
    assert '<section id="assistant-mount"></section>' in page
    assert 'src="/static/js/assistant.js"' in page and 'href="/static/assistant.css"' in page
    module = await api.get("/static/js/assistant.js")
    assert module.status_code == 200
    assert 'from "./core.js"' in module.text and "/api/v1/assistant/confirmations" in module.text
    assert (await api.get("/static/assistant.css")).status_code == 200

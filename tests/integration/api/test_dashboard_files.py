"""The gateway serves the dashboard and its chart library itself: no CDN, licence included."""

from __future__ import annotations

import re

import httpx


async def test_dashboard_and_its_assets_are_served_locally(api: httpx.AsyncClient) -> None:
    page = await api.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert not re.search(r'(src|href)="https?:', page.text)  # nothing loaded from elsewhere
    for asset in (
        "/static/js/app.js",
        "/static/js/charts.js",
        "/static/js/core.js",
        "/static/js/tables.js",
        "/static/style.css",
        "/static/lightweight-charts.standalone.production.js",
        "/static/lightweight-charts.LICENSE.txt",
    ):
        response = await api.get(asset)
        assert response.status_code == 200, asset
    assert "Apache License" in (await api.get("/static/lightweight-charts.LICENSE.txt")).text
    me = await api.get("/api/v1/auth/me")
    assert me.json() == {"name": "anonymous", "role": "viewer", "anonymous": True}

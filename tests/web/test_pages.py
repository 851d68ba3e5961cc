"""The home page says what is running and links to the API docs."""

from __future__ import annotations

from tests.support.client import app_client
from voxguard.runtime import Runtime


def test_home_page_and_docs(rt: Runtime) -> None:
    with app_client(rt) as client:
        home = client.get("/")
        assert home.status_code == 200
        assert "voxguard is running" in home.text and 'href="/docs"' in home.text
        assert "SQLite" in home.text or "PostgreSQL" in home.text
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        assert "/api/v1/utterances" in spec["paths"]
        assert client.get("/healthz").json() == {"status": "ok"}

"""The home page links to the API docs (what is running shows after sign-in: test_headers)."""

from __future__ import annotations

from tests.support.client import app_client
from voxguard.runtime import Runtime


def test_home_page_and_docs(rt: Runtime) -> None:
    with app_client(rt) as client:
        home = client.get("/")
        assert home.status_code == 200
        assert "voxguard is running" in home.text and 'href="/docs"' in home.text
        docs = client.get("/docs")
        assert docs.status_code == 200 and "/static/vendor/swagger-ui/" in docs.text
        spec = client.get("/openapi.json").json()
        assert "/api/v1/utterances" in spec["paths"]
        assert client.get("/healthz").json() == {"status": "ok"}


def test_the_favicon_comes_from_the_package(rt: Runtime) -> None:
    with app_client(rt) as client:
        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg") and b"http://www.w3.org/2000/svg" in icon.content
        assert client.get("/static/favicon.svg").content == icon.content
        for path in ("/", "/login", "/docs"):
            assert '<link rel="icon" href="/static/favicon.svg"' in client.get(path).text, path

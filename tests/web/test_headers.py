"""Security headers on every response, templates without inline script or style, the home page
showing nothing internal before sign-in, and the pages free of CSP violations in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import needs
from tests.support.browser import WAIT_MS, launch
from tests.support.client import app_client
from tests.support.net import free_port
from tests.support.people import login, make_user
from voxguard.runtime import Runtime
from voxguard.web.server import BackgroundServer

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "voxguard" / "web" / "templates"


def _assert_secure(response) -> None:  # type: ignore[no-untyped-def]
    path = response.request.url.path
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    assert not re.search(r"https?:|\*", csp), f"{path}: a host other than this one in {csp}"
    assert response.headers.get("x-frame-options") == "DENY", path
    assert response.headers.get("x-content-type-options") == "nosniff", path
    assert response.headers.get("referrer-policy") == "no-referrer", path


def test_every_kind_of_response_carries_the_security_headers(rt: Runtime) -> None:
    with app_client(rt) as client:
        responses = [
            client.get("/"),
            client.get("/login"),
            client.get("/docs"),
            client.get("/openapi.json"),
            client.get("/healthz"),
            client.get("/static/app.css"),
            client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js"),
            client.get("/no-such-page"),
            client.get("/review", follow_redirects=False),
            client.post("/api/v1/auth/login", json={}),
            client.post("/api/v1/auth/login", content=b"x" * 100_000),
            client.post("/api/v1/utterances"),
        ]
    assert [r.status_code for r in responses] == [
        200, 200, 200, 200, 200, 200, 200, 404, 303, 422, 413, 401,
    ]  # fmt: skip
    for response in responses:
        _assert_secure(response)


def test_templates_carry_no_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        assert " style=" not in html and "<style" not in html, template.name
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{template.name}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"{template.name}: an inline event handler"


def test_the_home_page_shows_nothing_internal_before_sign_in(rt: Runtime) -> None:
    user, password, secret = make_user(rt, role="admin")
    with app_client(rt) as client:
        anonymous = client.get("/").text
        for internal in (
            "SQLite",
            "PostgreSQL",
            "voxguard.db",
            "schema",
            "Audit chain",
            "sampling",
        ):
            assert internal not in anonymous
        assert 'href="/login"' in anonymous and 'href="/docs"' in anonymous
        login(client, user.username, password, secret)
        signed_in = client.get("/").text
    assert "Audit chain" in signed_in and ("SQLite" in signed_in or "PostgreSQL" in signed_in)


@pytest.mark.browser
def test_pages_raise_no_csp_violation_in_chromium(sqlite_rt: Runtime) -> None:
    sync_api = needs.chromium()
    server = BackgroundServer(sqlite_rt, "127.0.0.1", free_port())
    server.start()
    problems: list[str] = []
    try:
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on(
                    "console",
                    lambda msg: (
                        problems.append(msg.text) if "Content Security Policy" in msg.text else None
                    ),
                )
                # Offline-safe: every request the pages make stays on this server.
                elsewhere: list[str] = []
                page.on(
                    "request",
                    lambda r: (
                        None if r.url.startswith(server.base_url) else elsewhere.append(r.url)
                    ),
                )
                for path in ("/", "/login"):
                    page.goto(f"{server.base_url}{path}")
                    page.wait_for_load_state("load")
                page.goto(f"{server.base_url}/docs")
                page.wait_for_selector(".swagger-ui .opblock")  # the spec rendered
                assert "/api/v1/utterances" in page.content()
                assert elsewhere == []
            finally:
                browser.close()
    finally:
        server.stop()
    assert not problems, problems

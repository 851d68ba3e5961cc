"""The application factory: start-up settings that shape every request."""

from __future__ import annotations

import anyio.to_thread
from fastapi.testclient import TestClient

from voxguard.runtime import build_runtime
from voxguard.web.app import create_app


def test_database_threads_follow_the_web_threads_setting(make_settings) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(web_threads=3))
    try:
        with TestClient(create_app(rt)) as client:
            tokens = client.portal.call(
                lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
            )
            assert client.get("/healthz").json() == {"status": "ok"}
    finally:
        rt.close()
    assert tokens == 3

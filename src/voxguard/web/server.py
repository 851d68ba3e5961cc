"""Serving the app with uvicorn, with a request-header timeout uvicorn lacks.

uvicorn closes idle keep-alive connections, but a client that opens a connection and sends its
headers one byte at a time (slowloris) is waited for indefinitely. ``header_timeout_protocol``
subclasses uvicorn's httptools protocol: each connection must complete a request's headers
within ``header_timeout_s`` of connecting, or of its previous response; else it is closed. Body
read time is bounded in the app (``web.limits``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from voxguard.config import Settings
from voxguard.runtime import Runtime
from voxguard.web.app import create_app


def header_timeout_protocol(header_timeout_s: float) -> type[HttpToolsProtocol]:
    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            waiting_after = self.cycle  # None, or the request already answered
            self._header_timer = self.loop.call_later(
                header_timeout_s, self._headers_too_slow, waiting_after
            )

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self, waiting_after: Any) -> None:
            # No request's headers completed since the timer was armed: a slow or silent client.
            if self.cycle is waiting_after and not self.transport.is_closing():
                self.transport.close()

        def on_headers_complete(self) -> None:
            self._cancel_header_timer()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


def server_config(
    app: FastAPI, settings: Settings, host: str, port: int, **options: Any
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=header_timeout_protocol(settings.header_timeout_s),
        proxy_headers=False,  # the app applies forwarded_allow_ips itself
        **options,
    )


class BackgroundServer:
    """uvicorn in a thread, so the demo can upload through real HTTP before serving on."""

    def __init__(self, rt: Runtime, host: str, port: int) -> None:
        config = server_config(create_app(rt), rt.settings, host, port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="http")
        self.port = port
        self.base_url = f"http://{host}:{port}"

    def start(self, timeout_s: float = 30) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.server.started:
                return
            if not self.thread.is_alive():
                raise RuntimeError(f"the web server could not start on {self.base_url}")
            time.sleep(0.05)
        raise RuntimeError(f"the web server did not start on {self.base_url} in {timeout_s} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

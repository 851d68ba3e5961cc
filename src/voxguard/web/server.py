"""Running the app in a background thread (the demo and real-HTTP tests use it)."""

from __future__ import annotations

import threading
import time

import uvicorn

from voxguard.runtime import Runtime
from voxguard.web.app import create_app


class BackgroundServer:
    """uvicorn in a thread, so the demo can upload through real HTTP before serving on."""

    def __init__(self, rt: Runtime, host: str, port: int) -> None:
        config = uvicorn.Config(create_app(rt), host=host, port=port, log_level="warning")
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

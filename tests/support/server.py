"""`voxguard serve` in a subprocess with its log in a file: what an operator would run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.net import free_port

VOXGUARD = Path(sys.executable).with_name("voxguard")


@contextmanager
def served(env: dict[str, str], log_path: Path, *, timeout_s: float = 120) -> Iterator[str]:
    """Run the server (with its embedded worker) until the block ends; yields its base URL."""
    port = free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(VOXGUARD), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"voxguard serve exited: {log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"voxguard serve did not start: {log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""An HTTP client on the real app (in-process ASGI)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from voxguard.runtime import Runtime
from voxguard.web.app import create_app


def app_client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt), raise_server_exceptions=False)


def post_utterance(
    client: TestClient, token: str | None, audio: bytes, metadata: dict[str, Any] | bytes
) -> Any:
    meta = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/utterances",
        headers=headers,
        files={
            "audio": ("clip.wav", audio, "audio/wav"),
            "metadata": (None, meta, "application/json"),
        },
    )

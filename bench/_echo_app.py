"""The "raw uvicorn echo" baseline: reads the upload's multipart body and answers 201.

A bare ASGI app (no FastAPI, no database, no decoding): the ceiling that uvicorn, the multipart
reader and the load generator reach on this machine, for voxguard's figure to be compared with.
Served by ``bench/ingest.py`` as ``uvicorn --app-dir bench _echo_app:app``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from voxguard.web.multipart import FormRejected, read_form

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

LIMITS = {"audio": 10 * 1024 * 1024, "metadata": 16 * 1024}  # voxguard's defaults
ANSWER = b'{"id":null,"sampled":false,"stored":false}'


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["method"] != "POST":
        await _respond(send, 200, b'{"status":"ok"}')
        return
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    try:
        await read_form(
            headers.get("content-type"), headers.get("content-length"), _body(receive), LIMITS
        )
    except FormRejected as exc:
        await _respond(send, exc.status, exc.message.encode())
        return
    await _respond(send, 201, ANSWER)

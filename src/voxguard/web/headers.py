"""Security headers on every response (pages, APIs, static files, errors).

The Content-Security-Policy allows scripts, styles, images, audio and fetches from this origin
only: no inline script or style, no third-party host (wavesurfer.js and Swagger UI are served
from ``node_modules``), no framing, no plugins. One exception, for styles only: a ``<style>``
element carrying this response's nonce (``request.state.csp_nonce``), which wavesurfer.js needs
for its shadow DOM; the workbench hands the nonce to it. Audio and waveforms use ``blob:`` URLs
the workbench makes itself.
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FIXED_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_NAMES = {b"content-security-policy", *(name for name, _ in FIXED_HEADERS)}


class SecurityHeaders:
    """Plain ASGI middleware (no per-request objects): adds the headers to each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = (b"content-security-policy", CONTENT_SECURITY_POLICY.format(nonce=nonce).encode())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() not in _NAMES]
                message["headers"] = [*headers, policy, *FIXED_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)

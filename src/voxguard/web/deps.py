"""Request-scoped access to the runtime built at start-up."""

from __future__ import annotations

from fastapi import Request

from voxguard.runtime import Runtime
from voxguard.web.throttle import Throttle


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    """The dependency form; async, so resolving it costs no trip through the thread pool."""
    return runtime_of(request)


def throttle_of(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


def client_address(request: Request) -> str:
    """The client's address (the real one behind a trusted proxy), or "unknown"."""
    return request.client.host if request.client else "unknown"

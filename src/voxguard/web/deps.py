"""Request-scoped access to the runtime built at start-up."""

from __future__ import annotations

from fastapi import Request

from voxguard.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    """The dependency form; async, so resolving it costs no trip through the thread pool."""
    return runtime_of(request)

"""Request-scoped access to the runtime built at start-up."""

from __future__ import annotations

from fastapi import Request

from voxguard.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime

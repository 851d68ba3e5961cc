"""Front-end modules installed from npm (``make install``), served as static ES modules.

wavesurfer.js ships self-contained ESM bundles in ``dist/`` (no bundler needed), so we serve that
folder as is. ``node_modules`` lives at the project root; when it is missing (``make install`` has
not run) the app still starts and the mount answers 503 with a message saying what to run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

import voxguard

WAVESURFER_URL = "/static/vendor/wavesurfer"
SWAGGER_UI_URL = "/static/vendor/swagger-ui"
MISSING_MESSAGE = (
    "front-end modules are not installed: run `make install` (npm install) in the project root."
)


def project_root() -> Path:
    # src/voxguard/__init__.py -> parents[2] is the checkout's root (editable install).
    return Path(voxguard.__file__).resolve().parents[2]


def wavesurfer_dist(root: Path | None = None) -> Path:
    return (root or project_root()) / "node_modules" / "wavesurfer.js" / "dist"


def wavesurfer_available(root: Path | None = None) -> bool:
    dist = wavesurfer_dist(root)
    modules = (dist / "wavesurfer.esm.js", dist / "plugins" / "regions.esm.js")
    return all(module.is_file() for module in modules)


def swagger_ui_dist(root: Path | None = None) -> Path:
    return (root or project_root()) / "node_modules" / "swagger-ui-dist"


def mount_vendor(app: FastAPI, root: Path | None = None) -> None:
    """Serve node_modules/wavesurfer.js/dist at /static/vendor/wavesurfer/ and Swagger UI (for
    /docs, so the API docs load nothing from a third-party host) at /static/vendor/swagger-ui/.

    The mount goes first in the route table: the app's own ``/static`` mount would otherwise
    swallow every ``/static/vendor/...`` path whatever order the calls are made in.
    """
    dist = wavesurfer_dist(root)
    available = wavesurfer_available(root)
    app.state.wavesurfer_available = available
    if available:
        mount = Mount(WAVESURFER_URL, app=StaticFiles(directory=dist), name="vendor-wavesurfer")
    else:
        mount = Mount(WAVESURFER_URL, app=_MissingApp(), name="vendor-wavesurfer")
    app.router.routes.insert(0, mount)
    swagger = swagger_ui_dist(root)
    swagger_app = (
        StaticFiles(directory=swagger)
        if (swagger / "swagger-ui-bundle.js").is_file()
        else _MissingApp()
    )
    app.router.routes.insert(0, Mount(SWAGGER_UI_URL, app=swagger_app, name="vendor-swagger-ui"))


class _MissingApp:
    """ASGI app answering every request under the mount with the 503 message."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(MISSING_MESSAGE, status_code=503)
        await response(scope, receive, send)

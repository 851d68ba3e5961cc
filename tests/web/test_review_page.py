"""GET /review (the listening page shell) and the wavesurfer.js vendor mount, without a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import needs
from tests.support.client import app_client
from tests.support.people import login, make_user
from tests.support.world import make_device
from voxguard.runtime import Runtime
from voxguard.web.review_pages import watermark_svg
from voxguard.web.vendor import MISSING_MESSAGE, WAVESURFER_URL, mount_vendor, project_root


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with app_client(rt) as c:
        yield c


def test_not_signed_in_is_sent_to_sign_in_and_back(client: TestClient) -> None:
    response = client.get("/review", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/login?next=/review"


@pytest.mark.parametrize("role", ["reviewer", "lead"])
def test_page_carries_csrf_token_and_handle_but_nothing_identifying(
    rt: Runtime, client: TestClient, role: str
) -> None:
    device = make_device(rt, "ACCT-PAGE-5521", "SN-PAGE-0093")
    user, password, secret = make_user(rt, role=role)
    csrf = login(client, user.username, password, secret)

    response = client.get("/review")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert meta and meta.group(1) == csrf
    assert f'data-handle="{user.handle}"' in html
    tile = client.get("/review/watermark.svg")  # the watermark review.css tiles
    assert tile.headers["content-type"] == "image/svg+xml" and user.handle in tile.text
    for forbidden in (device.account_ref, device.serial, user.username, user.id):
        assert forbidden not in html
        assert forbidden not in unquote(html)
    assert 'src="/static/review/main.js"' in html


@pytest.mark.parametrize("role", ["admin", "privacy_officer"])
def test_other_roles_may_not_open_the_workbench(rt: Runtime, client: TestClient, role: str) -> None:
    user, password, secret = make_user(rt, role=role)
    login(client, user.username, password, secret)
    assert client.get("/review").status_code == 403


def test_a_pending_password_change_comes_first(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt, must_change_password=True)
    login(client, user.username, password, secret)
    response = client.get("/review", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/account/password?next=/review")


def test_page_static_modules_are_served(client: TestClient) -> None:
    for name in ("main.js", "api.js", "keys.js", "player.js", "intent-picker.js", "transcript.js"):
        response = client.get(f"/static/review/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response.headers["content-type"]
    assert client.get("/static/review/review.css").status_code == 200


def test_watermark_tile_cannot_break_out_of_its_svg() -> None:
    svg = watermark_svg('R-1"<x>)')
    assert "R-1&quot;&lt;x&gt;)" in svg and "<x>" not in svg


# --- the vendor mount --------------------------------------------------------------------


def _vendor_app(root: Path) -> FastAPI:
    app = FastAPI()
    mount_vendor(app, root)
    return app


def test_vendor_mount_serves_wavesurfer_modules() -> None:
    root = project_root()
    needs.wavesurfer()
    with TestClient(_vendor_app(root)) as c:
        for path in ("wavesurfer.esm.js", "plugins/regions.esm.js"):
            response = c.get(f"{WAVESURFER_URL}/{path}")
            assert response.status_code == 200, path
            assert "javascript" in response.headers["content-type"]


def test_vendor_mount_without_node_modules_explains_instead_of_crashing(tmp_path: Path) -> None:
    app = _vendor_app(tmp_path)
    assert app.state.wavesurfer_available is False
    with TestClient(app) as c:
        response = c.get(f"{WAVESURFER_URL}/wavesurfer.esm.js")
    assert response.status_code == 503
    assert response.text == MISSING_MESSAGE
    assert "make install" in response.text


def test_vendor_mount_wins_over_an_earlier_static_mount(tmp_path: Path) -> None:
    from fastapi.staticfiles import StaticFiles

    (tmp_path / "static").mkdir()
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=tmp_path / "static"), name="static")
    mount_vendor(app, tmp_path)  # nothing installed there: the 503 proves the route was reached
    with TestClient(app) as c:
        assert c.get(f"{WAVESURFER_URL}/wavesurfer.esm.js").status_code == 503

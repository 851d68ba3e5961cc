"""Rights tests run on both databases and, where storage is the point, both blob stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voxguard.runtime import Runtime, build_runtime


@pytest.fixture(params=["local", "s3"])
def store_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings (as VOXGUARD_* variables) naming a local or a SeaweedFS blob store."""
    if request.param == "local":
        return {}
    server = request.getfixturevalue("seaweedfs_server")
    bucket = server.create_bucket()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    return {**server.env(), "VOXGUARD_BLOB_URL": server.blob_url(bucket, "vg")}


@pytest.fixture
def stored_rt(make_settings, store_env: dict[str, str]) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    blob_url = store_env.get("VOXGUARD_BLOB_URL", "")
    runtime = build_runtime(make_settings(blob_url=blob_url))
    yield runtime
    runtime.close()

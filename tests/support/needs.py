"""What a test needs from the machine: a tool, a package or the shared data.

Missing on a developer's machine, the test is skipped with the reason. Under ``CI`` (where
``.ci/run`` installs every tool and the shared data is always present) a missing need FAILS the
test: a suite whose browser or server tests quietly skipped must not pass.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

from tests.support import browser
from voxguard.web.vendor import wavesurfer_available, wavesurfer_dist

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def missing(reason: str) -> NoReturn:
    """Skip for ``reason``, or fail under CI, which must provide what the test needs."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
    pytest.skip(reason)


def module(name: str, reason: str | None = None) -> ModuleType:
    """``pytest.importorskip`` that fails under CI."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(reason or f"{name} cannot be imported: {exc}")


def chromium() -> ModuleType:
    """Playwright's sync API, with Debian's Chromium present to drive."""
    if not browser.CHROMIUM.exists():
        missing(f"Chromium is not installed at {browser.CHROMIUM} (apt-get install chromium)")
    return module("playwright.sync_api", "Playwright is not installed (make install)")


def node() -> str:
    """The ``node`` executable."""
    found = shutil.which("node")
    if found is None:
        missing("Node.js is not installed (apt-get install nodejs)")
    return found


def wavesurfer() -> Path:
    """wavesurfer.js as ``make install`` (npm install) puts it in node_modules."""
    if not wavesurfer_available():
        missing("wavesurfer.js is not installed: run `make install` (npm install)")
    return wavesurfer_dist()


def shared_data() -> Path:
    """``../shared/data`` beside the project, or ``$VOXGUARD_SHARED_DATA``."""
    env = os.environ.get("VOXGUARD_SHARED_DATA")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file or folder of the shared data, which must exist."""
    path = shared_data() / relative
    if not path.exists():
        missing(f"shared data {relative} is not present under {shared_data()}")
    return path


__all__ = [
    "chromium",
    "missing",
    "module",
    "node",
    "shared",
    "shared_data",
    "wavesurfer",
]

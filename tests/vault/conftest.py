"""Fixtures for the vault tests: a real SeaweedFS S3 server (see tests/support/seaweedfs.py)."""

import sys
from pathlib import Path

# `tests.support` must be importable even when pytest runs without the project root on
# sys.path (the `pytest` console script does not add the current directory).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.seaweedfs import s3_bucket, seaweedfs_server  # noqa: E402

__all__ = ["s3_bucket", "seaweedfs_server"]

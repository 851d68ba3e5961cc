"""Every file the package reads at run time ships in its wheel: a non-Python file under
src/voxguard that no `package-data` pattern of pyproject.toml names works from a checkout
(an editable install) and is missing from a real install."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "voxguard"


def _tracked_data_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "src/voxguard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if not name.endswith((".py", ".pyi", ".typed"))]


def test_every_data_file_is_named_by_a_package_data_pattern() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["voxguard"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    files = _tracked_data_files()
    assert files, "no data files found: the test looks in the wrong place"
    missing = sorted(str(p.relative_to(PACKAGE)) for p in files if p not in shipped)
    assert missing == [], f"not in [tool.setuptools.package-data]: {missing}"

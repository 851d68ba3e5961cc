"""Settings: embedded defaults, environment, TOML file, and clear errors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import voxguard
from voxguard.config import Settings


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "VOXGUARD_DATA_DIR",
        "VOXGUARD_DATABASE_URL",
        "VOXGUARD_CONFIG",
        "VOXGUARD_SAMPLING_RATE",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.data_dir == Path("var")
    assert settings.resolved_database_url.endswith("var/voxguard.db")
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_blob_url.endswith("var/blobs")
    assert settings.review_consent_default == "opted_out"
    assert settings.sampling_rate == 0.002
    assert settings.resolved_master_key_file == Path("var/master.key")


def test_environment_beats_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "voxguard.toml"
    config.write_text(
        '[voxguard]\nsampling_rate = 0.25\nblob_url = "s3://b/p"\nreviewers_per_clip = 3\n'
    )
    monkeypatch.setenv("VOXGUARD_CONFIG", str(config))
    monkeypatch.setenv("VOXGUARD_SAMPLING_RATE", "0.5")
    settings = Settings()
    assert settings.sampling_rate == 0.5
    assert settings.blob_url == "s3://b/p" and settings.reviewers_per_clip == 3


def test_bad_values_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXGUARD_SAMPLING_RATE", "1.5")
    with pytest.raises(ValueError, match="sampling_rate"):
        Settings()
    monkeypatch.delenv("VOXGUARD_SAMPLING_RATE")
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = = not toml")
    monkeypatch.setenv("VOXGUARD_CONFIG", str(broken))
    with pytest.raises(ValueError, match="not valid TOML"):
        Settings()
    monkeypatch.setenv("VOXGUARD_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="does not exist"):
        Settings()


# Reads of the environment outside config. The S3 store follows boto3's convention of taking
# its endpoint and credentials from AWS_* variables, which Settings does not model yet.
ENVIRONMENT_READERS_OUTSIDE_CONFIG = {"vault/stores/s3.py"}


def _reads_environment(tree: ast.AST) -> bool:
    # os.environ[...] = value sets a variable for a library; everything else on it is a read.
    written = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
    }
    return any(
        isinstance(node, ast.Attribute)
        and node.attr in ("environ", "environb", "getenv")
        and id(node) not in written
        for node in ast.walk(tree)
    )


def test_only_config_reads_the_environment() -> None:
    package = Path(voxguard.__file__).resolve().parent
    readers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] != "config"
        and _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert readers == ENVIRONMENT_READERS_OUTSIDE_CONFIG


def test_asr_threads_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXGUARD_ASR_CPU_THREADS", "3")
    assert Settings().asr_cpu_threads == 3
    monkeypatch.setenv("VOXGUARD_ASR_CPU_THREADS", "0")
    with pytest.raises(ValueError, match="asr_cpu_threads"):
        Settings()

"""Settings from ``VOXGUARD_*`` environment variables and an optional TOML file.

Precedence: explicit arguments > environment > TOML file (``VOXGUARD_CONFIG``) > defaults.
Defaults run everything embedded: SQLite and an encrypted blob directory under ``./var``.
"""

from __future__ import annotations

import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ReviewConsent = Literal["opted_in", "opted_out"]
Retention = Literal["dont_save", "3_months", "18_months", "until_deleted"]
_DEVICE_TYPES = "smart_speaker smart_display phone tablet car tv wearable headphones import other"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by ``VOXGUARD_CONFIG`` (flat keys, same names as the fields)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("VOXGUARD_CONFIG")
        if not path:
            return {}
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ValueError(f"VOXGUARD_CONFIG names {path}, which does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"VOXGUARD_CONFIG file {path} is not valid TOML: {exc}") from exc
        return data.get("voxguard", data)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGUARD_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file in data_dir
    blob_url: str = ""  # empty: local directory data_dir/blobs; or s3://bucket/prefix?endpoint=…
    master_key_file: Path | None = None  # default data_dir/master.key

    # consent and retention (what a new account starts with; each person can change it)
    review_consent_default: ReviewConsent = "opted_out"
    store_consent_default: bool = True
    model_training_consent_default: bool = False
    retention_default: Retention = "3_months"
    # The privacy notice in force, recorded with every consent choice made under it.
    privacy_notice_version: str = Field(default="2026-12", min_length=1, max_length=32)
    # Review copies are deleted this long after their review completes.
    review_copy_grace_hours: float = Field(default=24.0, ge=0)
    # How often a worker schedules the retention sweep.
    retention_sweep_minutes: float = Field(default=60.0, gt=0)
    # Erasures are also written here, outside the database and its backups, so a restored
    # backup cannot bring an erased person back. Default: beside the master key.
    erasure_ledger_file: Path | None = None
    # Self-service page: a sign-in link lives this long, and then the session it opens.
    self_service_link_minutes: int = Field(default=15, ge=1, le=24 * 60)
    self_service_session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Where the records of processing read the latest benchmark figures from.
    bench_results_dir: Path = Path("bench/results")

    # sampling
    sampling_rate: float = Field(default=0.002, ge=0.0, le=1.0)
    sampling_low_confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    sampling_low_confidence_boost: float = Field(default=5.0, ge=1.0)
    sampling_account_cap_30d: int = Field(default=20, ge=0)

    # ingest limits
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_metadata_bytes: int = Field(default=16 * 1024, ge=256)
    max_duration_s: float = Field(default=60.0, gt=0)
    default_data_region: str = "eu"
    # What a device may say about itself. Its data_region must be a configured region (see
    # data_regions) and equal to its account's unless this allows a device to choose; its
    # device_type is kept only if listed here (else "other"), so no free text reaches reviewers.
    device_may_set_data_region: bool = False
    device_types: list[str] = Field(default_factory=_DEVICE_TYPES.split)

    # work leases
    job_lease_seconds: int = Field(default=60, ge=1)
    job_max_attempts: int = Field(default=5, ge=1)
    job_backoff_base_seconds: float = Field(default=2.0, ge=0)
    job_backoff_max_seconds: float = Field(default=600.0, ge=0)

    # privacy pipeline (the order of steps is fixed; these choose how each step works)
    asr_engine: Literal["whisper", "pocketsphinx"] = "whisper"
    asr_cpu_threads: int | None = Field(default=None, ge=1)
    # An adapted ASR model (`voxguard adapt asr`, under data_dir/models) for the review draft;
    # empty: the stock engine.
    asr_adapted_model: str = ""
    # An adapted intent model (`voxguard adapt nlu`) that `voxguard eval nlu` measures too.
    nlu_adapted_model: str = ""
    anonymization_method: str = "tdpsola"  # why: privacy.anonymize.registry
    # The calibration set leads listen to on /lead/anonymization: a folder of audio files of
    # voices whose owners agreed to this use (never recordings of the service's accounts), with
    # an optional calibration.jsonl of what each says. Empty: the demo voices, rendered once
    # into data_dir/calibration.
    calibration_dir: Path | None = None
    redaction_mode: Literal["tone", "silence"] = "tone"
    redaction_margin_s: float = Field(default=0.08, ge=0.0, le=1.0)

    # review
    reviewers_per_clip: int = Field(default=2, ge=1)
    review_lease_min_seconds: int = Field(default=120, ge=10)
    review_lease_clip_factor: float = Field(default=4.0, ge=1.0)
    audio_url_seconds: int = Field(default=60, ge=5)
    reviewer_account_cap_30d: int = Field(default=3, ge=1)
    gold_rate: float = Field(default=0.05, ge=0.0, le=1.0)
    # data region of a clip -> reviewer regions allowed to hear it; unlisted: same region only
    residency: dict[str, list[str]] = Field(default_factory=lambda: {"eu": ["eu"], "us": ["us"]})
    consensus_close_wer: float = Field(default=0.35, ge=0.0, le=1.0)
    gold_wer_alert: float = Field(default=0.2, ge=0.0, le=1.0)
    # The intents reviewers may choose, one per line; empty: the list shipped with voxguard.
    intents_file: Path | None = None

    # audit: signed checkpoints of the chain's head, kept outside the database
    audit_checkpoint_file: Path | None = None  # default data_dir/audit-checkpoints.jsonl
    audit_checkpoint_seconds: float = Field(default=300.0, gt=0)

    # web
    host: str = "127.0.0.1"
    port: int = 8000
    # Threads per web process for database work. Few is faster: every request is short, and
    # dozens of threads only contend for the GIL and for database locks (bench/review_load.py:
    # 40 threads 44 cycles/s, 4 threads 64 cycles/s at 200 reviewers on PostgreSQL).
    web_threads: int = Field(default=4, ge=1, le=256)
    # The TLS-terminating proxies whose X-Forwarded-Proto / X-Forwarded-For are believed
    # (comma-separated addresses or networks, "*" for any, "" for none). Behind one, the session
    # cookie is Secure and audit events name the real client, not the proxy.
    forwarded_allow_ips: str = "127.0.0.1"
    # Limits before work: every JSON and form body (uploads have their own, above), and how long
    # a client may take to send its request headers and its whole body.
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=60.0, gt=0)
    # Per-client throttles (the `limits` library's notation) and where their counts live.
    throttle_storage_url: str = "memory://"
    # Generous per address (a shift of reviewers behind one office NAT signs in at once); the
    # per (account, address) failure limit is what stops a guesser.
    sign_in_rate_per_client: str = "120/minute"
    sign_in_failures_per_account_client: str = "5/15 minutes"
    ingest_refusals_per_client: str = "60/minute"
    # Refusals are audited once per client per window, with the count (see audit.refusals).
    refusal_audit_window_s: float = Field(default=60.0, gt=0)

    @field_validator(
        "sign_in_rate_per_client",
        "sign_in_failures_per_account_client",
        "ingest_refusals_per_client",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse  # the notation's one parser

        parse(value)  # e.g. "30/minute", "5/15 minutes"; raises ValueError otherwise
        return value

    @field_validator("default_data_region")
    @classmethod
    def _region_lower(cls, value: str) -> str:
        return value.strip().lower()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @property
    def data_regions(self) -> list[str]:
        """The regions clips may be stored in: the residency map's, and the default."""
        return sorted(set(self.residency) | {self.default_data_region})

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'voxguard.db').resolve()}"

    @property
    def resolved_blob_url(self) -> str:
        return self.blob_url or str((self.data_dir / "blobs").resolve())

    @property
    def resolved_audit_checkpoint_file(self) -> Path:
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def resolved_calibration_dir(self) -> Path:
        return self.calibration_dir or self.data_dir / "calibration"

    @property
    def calibration_cache_dir(self) -> Path:
        """Where the calibration clips' rendered WAVs are kept (re-made when anything changes)."""
        return self.data_dir / "calibration-cache"

    @property
    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def resolved_erasure_ledger_file(self) -> Path:
        return self.erasure_ledger_file or self.resolved_master_key_file.with_name(
            "erasure-ledger.jsonl"
        )


def _toml_value(value: Any) -> str:
    # JSON's strings, numbers and arrays of them are also TOML; tables become inline tables.
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def config_file_text(settings: Settings, **overrides: Any) -> str:
    """A TOML file for ``VOXGUARD_CONFIG`` holding the settings that were set explicitly (by the
    environment or a file) and ``overrides``, with the data directory and every other path made
    absolute, so the file means the same system from any working directory."""
    values = {name: getattr(settings, name) for name in sorted(settings.model_fields_set)}
    values.update(overrides)
    values["data_dir"] = settings.data_dir
    values = {k: v.resolve() if isinstance(v, Path) else v for k, v in values.items()}
    lines = ["# Written by voxguard; point the CLI at it with VOXGUARD_CONFIG.", "[voxguard]"]
    lines += [f"{name} = {_toml_value(v)}" for name, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


def settings_source() -> str:
    """Where the settings in force come from: the config file, else environment and defaults."""
    path = os.environ.get("VOXGUARD_CONFIG")
    return f"{path} (and VOXGUARD_* variables)" if path else "VOXGUARD_* variables and defaults"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()

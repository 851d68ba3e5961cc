"""The process-wide objects built from settings: database, vault. Web and CLI share them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import make_url

from voxguard.audit.checkpoints import CheckpointSigner, signer_from
from voxguard.audit.refusals import RefusalTally
from voxguard.config import Settings
from voxguard.consent.service import ConsentDefaults
from voxguard.db.session import Database
from voxguard.sampling.service import SamplingPolicy, policy_from, sampling_secret
from voxguard.vault.crypto import load_or_create_master_key
from voxguard.vault.service import Vault
from voxguard.vault.stores import local_blob_path, open_blob_store


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault

    @cached_property
    def sampling_secret(self) -> bytes:
        return sampling_secret(self.vault)

    @cached_property
    def checkpoint_signer(self) -> CheckpointSigner:
        """Signs audit checkpoints; its key is derived from the master key, never stored."""
        return signer_from(self.vault.derived_secret)

    @cached_property
    def refusal_tally(self) -> RefusalTally:
        """Refusals (uploads, sign-ins) are audited once per client per window, with a count."""
        return RefusalTally(self.settings.refusal_audit_window_s)

    @property
    def sampling_policy(self) -> SamplingPolicy:
        return policy_from(self.settings)

    @property
    def consent_defaults(self) -> ConsentDefaults:
        return ConsentDefaults(
            human_review=self.settings.review_consent_default,
            store_recordings=self.settings.store_consent_default,
            model_training=self.settings.model_training_consent_default,
            retention=self.settings.retention_default,
            notice_version=self.settings.privacy_notice_version,
        )

    def close(self) -> None:
        self.db.dispose()


class NothingToRead(Exception):
    """A command that needs an existing system found none where the settings point; it creates
    none."""

    def __init__(self, settings: Settings, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"no voxguard system under {settings.data_dir}: no {', no '.join(missing)}. "
            "Point VOXGUARD_CONFIG at the settings of the system you mean (`make demo` prints "
            "the line), or set one up first with `voxguard db upgrade`"
        )


def absent_database_file(settings: Settings) -> Path | None:
    """The SQLite file the settings name when it does not exist (opening it would create it)."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


def missing_state(settings: Settings) -> list[str]:
    """What of an existing system is absent where the settings point (empty: all there)."""
    missing = []
    key = settings.resolved_master_key_file
    if not key.exists() and not key.is_symlink():
        missing.append(f"master key ({key})")
    database = absent_database_file(settings)
    if database is not None:
        missing.append(f"database ({database})")
    local_blobs = local_blob_path(settings.resolved_blob_url, base_dir=settings.data_dir)
    if local_blobs is not None and not local_blobs.exists():
        missing.append(f"blob folder ({local_blobs})")
    return missing


def build_runtime(settings: Settings, *, create: bool = True) -> Runtime:
    """With ``create=False`` (read-only commands) nothing is created: a master key, database or
    blob folder that is absent raises :class:`NothingToRead` instead."""
    if not create:
        missing = missing_state(settings)
        if missing:
            raise NothingToRead(settings, missing)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    master_key = load_or_create_master_key(settings.resolved_master_key_file)
    store = open_blob_store(settings.resolved_blob_url, base_dir=settings.data_dir)
    return Runtime(
        settings=settings,
        db=Database(settings.resolved_database_url),
        vault=Vault(master_key, store),
    )

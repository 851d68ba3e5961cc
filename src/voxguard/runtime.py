"""The process-wide objects built from settings: database, vault. Web and CLI share them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from voxguard.config import Settings
from voxguard.consent.service import ConsentDefaults
from voxguard.db.session import Database
from voxguard.sampling.service import SamplingPolicy, policy_from, sampling_secret
from voxguard.vault.crypto import load_or_create_master_key
from voxguard.vault.service import Vault
from voxguard.vault.stores import open_blob_store


@dataclass
class Runtime:
    settings: Settings
    db: Database
    vault: Vault

    @cached_property
    def sampling_secret(self) -> bytes:
        return sampling_secret(self.vault)

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


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    master_key = load_or_create_master_key(settings.resolved_master_key_file)
    store = open_blob_store(settings.resolved_blob_url, base_dir=settings.data_dir)
    return Runtime(
        settings=settings,
        db=Database(settings.resolved_database_url),
        vault=Vault(master_key, store),
    )

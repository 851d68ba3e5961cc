"""Building accounts and devices for tests through the real services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from voxguard.consent.service import change_consent, get_account
from voxguard.ingest.devices import add_device
from voxguard.runtime import Runtime


@dataclass(frozen=True)
class DeviceHandle:
    account_ref: str
    serial: str
    token: str
    account_id: str
    device_id: str

    def metadata(self, utterance_id: str, **overrides: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "utterance_id": utterance_id,
            "account_ref": self.account_ref,
            "device_serial": self.serial,
            "recorded_at": datetime(2026, 11, 25, 10, 0, tzinfo=UTC).isoformat(),
            "locale": "en-us",
            "device_type": "smart_speaker",
            "asr_text": "set an alarm for seven",
            "asr_confidence": 0.9,
            "intent": "alarm_set",
        }
        meta.update(overrides)
        return meta

    def metadata_bytes(self, utterance_id: str, **overrides: Any) -> bytes:
        return json.dumps(self.metadata(utterance_id, **overrides)).encode()


def make_device(
    rt: Runtime,
    account_ref: str = "ACCT-1",
    serial: str = "SN-1",
    *,
    region: str = "eu",
    review: str | None = None,
    store: bool | None = None,
) -> DeviceHandle:
    with rt.db.session() as session:
        created = add_device(
            session,
            account_ref=account_ref,
            serial=serial,
            region=region,
            defaults=rt.consent_defaults,
            vault=rt.vault,
            actor="test",
        )
        if review is not None or store is not None:
            change_consent(
                session,
                get_account(session, account_ref),
                review=review,  # type: ignore[arg-type]
                store=store,
                source="test",
                actor="test",
            )
        return DeviceHandle(
            account_ref, serial, created.token, created.account.id, created.device.id
        )

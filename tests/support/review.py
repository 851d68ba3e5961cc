"""Building reviewable clips and reviewers for service-level review tests."""

from __future__ import annotations

import secrets
import threading
from typing import Any

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.db.models import User
from voxguard.processing.worker import work
from voxguard.runtime import Runtime


def add_reviewer(rt: Runtime, region: str = "eu", role: str = "reviewer") -> User:
    """A user row for service-level tests (sign-in is tested with real credentials elsewhere)."""
    with rt.db.session() as session:
        user = User(
            handle=f"R-{secrets.token_hex(3).upper()}",
            username=f"user-{secrets.token_hex(4)}",
            role=role,
            region=region,
            password_hash="!test-only",
            must_change_password=False,
            totp_secret_sealed=b"",
        )
        session.add(user)
    return user


def make_clips(
    rt: Runtime,
    n: int,
    *,
    account_ref: str = "ACCT-1",
    serial: str = "SN-1",
    region: str = "eu",
    seconds: float = 0.6,
    metadata: dict[str, Any] | None = None,
) -> list[str]:
    """Upload n clips over the API and run the worker so their review tasks exist.

    ``metadata``: fields the device sends differently (e.g. ``asr_text``, ``intent``).
    """
    device = make_device(rt, account_ref, serial, region=region)
    ids = []
    with app_client(rt) as client:
        for i in range(n):
            response = post_utterance(
                client,
                device.token,
                tone_wav(seconds + i / 100),
                device.metadata(f"{serial}-{i}", data_region=region, **(metadata or {})),
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    return ids

"""Building curated clips for feedback tests.

``accept`` drives the real review services (``tests.support.review.review_next``), so clips
become accepted exactly as in production. ``bulk_curated`` writes many accepted clips straight
into the real database (accounts, consent, devices, utterances, outcomes) for scale tests, where
running the privacy pipeline on each would take hours; it adds no audio.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.support.review import review_next
from voxguard.db.base import utcnow
from voxguard.db.models import (
    Account,
    AccountKey,
    ClipOutcome,
    ConsentRecord,
    Device,
    Utterance,
)
from voxguard.runtime import Runtime


def accept(rt: Runtime, text: str, intent: str = "alarm_set") -> str:
    """Two blind passes that agree: the next clip in the queue is accepted."""
    clip = review_next(rt, text, intent)[0].utterance_id
    assert review_next(rt, text, intent)[0].utterance_id == clip
    with rt.db.read() as session:
        outcome = session.get(ClipOutcome, clip)
        assert outcome is not None and outcome.state == "accepted", outcome
    return clip


def bulk_curated(
    rt: Runtime,
    clips: int,
    *,
    accounts: int | None = None,
    tag: str | None = None,
    batch: int = 2_000,
) -> list[str]:
    """``clips`` accepted clips spread over ``accounts`` consenting accounts (default: one each)."""
    tag = tag or secrets.token_hex(3)
    accounts = accounts or clips
    now = utcnow()
    recorded = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    account_ids = [hashlib.sha256(f"{tag}-a{i}".encode()).hexdigest()[:32] for i in range(accounts)]
    with rt.db.session() as session:
        for start in range(0, accounts, batch):
            ids = account_ids[start : start + batch]
            session.execute(
                sa.insert(Account),
                [{"id": a, "ref": f"BULK-{tag}-{a[:12]}", "data_region": "eu"} for a in ids],
            )
            session.execute(sa.insert(AccountKey), [{"account_id": a} for a in ids])
            session.execute(
                sa.insert(ConsentRecord),
                [
                    {
                        "account_id": a,
                        "version": 1,
                        "store_recordings": True,
                        "human_review": "opted_in",
                        "model_training": True,
                        "source": "test",
                    }
                    for a in ids
                ],
            )
            session.execute(
                sa.insert(Device),
                [{"id": a, "account_id": a, "serial": "SN", "token_hash": a * 2} for a in ids],
            )
    clip_ids = [hashlib.sha256(f"{tag}-c{i}".encode()).hexdigest()[:32] for i in range(clips)]
    for start in range(0, clips, batch):
        rows = []
        outcomes = []
        for i in range(start, min(clips, start + batch)):
            account = account_ids[i % accounts]
            rows.append(
                {
                    "id": clip_ids[i],
                    "client_utterance_id": f"u{i}",
                    "account_id": account,
                    "device_id": account,
                    "recorded_at": recorded + timedelta(hours=i % 500),
                    "received_at": now,
                    "expires_at": now + timedelta(days=90),
                    "locale": ("en-us", "en-gb")[i % 2],
                    "device_type": ("smart_speaker", "phone")[i % 3 == 0],
                    "data_region": "eu",
                    # No device words: these accounts have no data key to seal them under,
                    # and exports never read them.
                    "device_asr_sealed": None,
                    "device_asr_confidence": (i % 10) / 10,
                    "device_intent": ("alarm_set", "alarm_query")[i % 4 == 0],
                    "duration_s": 2.0,
                    "audio_sha256": "0" * 64,
                    "sampled": True,
                    "status": "reviewed",
                    "redactions": [],
                }
            )
            outcomes.append(
                {
                    "utterance_id": clip_ids[i],
                    "state": "accepted",
                    "method": "agreement",
                    "transcript": f"set an alarm for {i % 12} thirty",
                    "intent": "alarm_set",
                    "details": {},
                }
            )
        with rt.db.session() as session:
            session.execute(sa.insert(Utterance), rows)
            session.execute(sa.insert(ClipOutcome), outcomes)
    return clip_ids


def account_in_split(rt: Runtime, ref: str, split: str) -> str:
    """A consenting account whose id lands in ``split`` (ids are random; the split hashes them)."""
    from voxguard.feedback.curated import split_of

    account_id = next(
        i for i in (secrets.token_hex(16) for _ in range(10_000)) if split_of(i) == split
    )
    with rt.db.session() as session:
        session.add(Account(id=account_id, ref=ref, data_region="eu"))
        session.flush()
        rt.vault.create_account_key(session, account_id)
        session.add(
            ConsentRecord(
                account_id=account_id,
                version=1,
                store_recordings=True,
                human_review="opted_in",
                model_training=True,
                source="test",
            )
        )
    return account_id

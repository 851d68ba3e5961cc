"""``prepare_review_copy``: the job every sampled utterance gets.

Ordered steps turn the decoded original into what a reviewer may hear and read; each step takes
and returns a ``ReviewCopy``. The review copy is encrypted into the vault and the review tasks are
created in the same transaction that completes the job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import work
from voxguard.audio import TARGET_RATE, decode_audio, encode_wav_pcm16, normalise_peak
from voxguard.config import Settings
from voxguard.consent.service import current_consent
from voxguard.db.models import Blob, Utterance
from voxguard.db.session import Database
from voxguard.vault.service import Vault
from voxguard.work.queues import REVIEW_QUEUE, REVIEW_TASK
from voxguard.work.runner import JobContext, PermanentFailure


@dataclass(frozen=True)
class ReviewCopy:
    samples: np.ndarray
    sample_rate: int
    seed: int  # per-utterance, so every random transform is reproducible
    draft_text: str | None = None
    redactions: list[dict[str, object]] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)

    def with_(self, **changes: object) -> ReviewCopy:
        return replace(self, **changes)  # type: ignore[arg-type]


Step = Callable[[ReviewCopy], ReviewCopy]


def normalise_level(copy: ReviewCopy) -> ReviewCopy:
    """Peak-normalise to -3 dBFS so every clip plays at a comfortable, similar loudness."""
    return copy.with_(samples=normalise_peak(copy.samples))


def utterance_seed(utterance_id: str) -> int:
    return int.from_bytes(hashlib.sha256(utterance_id.encode()).digest()[:8], "big")


def make_prepare_review_copy(
    db: Database, vault: Vault, settings: Settings, steps: Sequence[Step]
) -> Callable[[JobContext], None]:
    def prepare_review_copy(ctx: JobContext) -> None:
        utterance_id = ctx.job.subject_id
        with db.read() as session:
            utterance = session.get(Utterance, utterance_id)
            if utterance is None or utterance.deleted_at is not None:
                raise PermanentFailure(f"utterance {utterance_id} no longer exists")
            original = session.execute(
                select(Blob).where(
                    Blob.utterance_id == utterance_id,
                    Blob.kind == "original",
                    Blob.deleted_at.is_(None),
                )
            ).scalar_one_or_none()
            if original is None:
                raise PermanentFailure(f"utterance {utterance_id} has no original audio")
            decoded = decode_audio(vault.get(session, original), max_duration_s=None)
        copy = ReviewCopy(
            samples=decoded.samples,
            sample_rate=decoded.sample_rate,
            seed=utterance_seed(utterance_id),
        )
        for step in steps:
            copy = step(copy)
        wav = encode_wav_pcm16(copy.samples, TARGET_RATE)
        with db.read() as session:
            blob = vault.seal(
                session,
                account_id=utterance.account_id,
                utterance_id=utterance_id,
                kind="review_copy",
                plaintext=wav,
            )
        with db.session() as session:
            vault.discard_if_rolled_back(session, blob.store_key)
            used = _finish(ctx, session, utterance_id, blob, copy, settings.reviewers_per_clip)
        if not used:
            vault.discard_object(blob.store_key)

    return prepare_review_copy


def _finish(
    ctx: JobContext,
    session: Session,
    utterance_id: str,
    blob: Blob,
    copy: ReviewCopy,
    reviewers_per_clip: int,
) -> bool:
    """Record the review copy and its tasks; False when consent went away meanwhile."""
    utterance = session.get(Utterance, utterance_id)
    if utterance is None:
        # Erased while it was processed: its job went with it, and the copy is discarded.
        raise work.LeaseLost(f"utterance {utterance_id} was erased while it was processed")
    consent = current_consent(session, utterance.account_id)
    # Completing first: a job cancelled by a consent withdrawal raises LeaseLost here.
    if consent.human_review != "opted_in" or utterance.deleted_at is not None:
        ctx.complete(session, outcome="skipped_no_consent")
        return False
    ctx.complete(
        session,
        outcome="review_copy_ready",
        engine=copy.notes.get("engine"),
        anonymizer=copy.notes.get("anonymizer"),
        redacted_spans=len(copy.redactions),
    )
    session.add(blob)
    utterance.status = "ready_for_review"
    utterance.draft_text = copy.draft_text
    utterance.redactions = copy.redactions
    for _ in range(reviewers_per_clip):
        work.enqueue(
            session,
            queue=REVIEW_QUEUE,
            kind=REVIEW_TASK,
            subject_id=utterance_id,
            account_id=utterance.account_id,
        )
    return True

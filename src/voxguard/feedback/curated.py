"""The curated set: what reviewers settled that may leave review for datasets, reports and models.

One rule (``curated``) decides it for every export, report and adapted model, and one rule
(``split_of``) puts each account in train, dev or test, so no speaker is in two splits and an
account held out once stays held out for every later model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import aliased

from voxguard.db.models import Account, Blob, ClipOutcome, ConsentRecord, Flag, GoldClip, Utterance
from voxguard.db.session import Database
from voxguard.review.flags import RESTRICTING

# Flags that keep a clip out of every dataset, whatever became of the flag afterwards: every
# restricting flag (a reviewer who heard a name may have typed it) and a false wake.
EXCLUDING_FLAGS = (*RESTRICTING, "false_wake")
SPLITS = ("train", "dev", "test")
# Share of accounts in train and dev; the rest (10 %) is the held-out test split.
_TRAIN_SHARE, _DEV_SHARE = 0.8, 0.1
RULES_VERSION = 3  # recorded with every export; bump when ``curated`` changes


def consents_to_training(account_id: ColumnElement[str]) -> ColumnElement[bool]:
    """The account's consent in force lets its clips be reviewed, kept, and train models."""
    latest = aliased(ConsentRecord)
    newest_version = (
        select(func.max(latest.version))
        .where(latest.account_id == ConsentRecord.account_id)
        .scalar_subquery()
    )
    return exists().where(
        ConsentRecord.account_id == account_id,
        ConsentRecord.version == newest_version,
        ConsentRecord.human_review == "opted_in",
        ConsentRecord.store_recordings.is_(True),
        ConsentRecord.model_training.is_(True),
    )


def curated(now: datetime) -> ColumnElement[bool]:
    """Accepted or adjudicated clips of consenting, living accounts, never flagged, never gold.

    Over ``Utterance`` joined to its ``ClipOutcome`` and ``Account``.
    """
    return and_(
        ClipOutcome.state == "accepted",  # by agreement, ROVER merge or a lead's adjudication
        ClipOutcome.transcript.is_not(None),
        ClipOutcome.intent.is_not(None),
        Utterance.deleted_at.is_(None),
        Utterance.restricted.is_(False),
        Utterance.expires_at > now,
        consents_to_training(Utterance.account_id),
        ~exists().where(Flag.utterance_id == Utterance.id, Flag.kind.in_(EXCLUDING_FLAGS)),
        # A gold clip's settled transcript is the answer key reviewers are measured against.
        ~exists().where(GoldClip.utterance_id == Utterance.id),
    )


def split_of(account_id: str) -> str:
    """train, dev or test for every clip of the account; fixed for the account's lifetime."""
    digest = hashlib.sha256(b"voxguard split v1:" + account_id.encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    if share < _TRAIN_SHARE:
        return "train"
    return "dev" if share < _TRAIN_SHARE + _DEV_SHARE else "test"


@dataclass(frozen=True)
class CuratedClip:
    id: str
    account_id: str
    split: str
    text: str  # the settled transcript (spoken form, PII as tags such as [PERSON])
    intent: str
    method: str  # agreement | rover | lead
    locale: str
    device_type: str
    duration_s: float
    recorded_at: datetime
    # The device's own guesses, for reports only. Its words are raw (names, numbers): sealed
    # under the account's key, opened only to be redacted (feedback.evaluate), never exported.
    device_text_sealed: bytes | None
    device_confidence: float
    device_intent: str
    review_copy_id: str | None  # the anonymized, bleeped audio; never the original


_REVIEW_COPY = (
    select(Blob.id)
    .where(
        Blob.utterance_id == Utterance.id,
        Blob.kind == "review_copy",
        Blob.deleted_at.is_(None),
    )
    .order_by(Blob.created_at.desc())
    .limit(1)
    .correlate(Utterance)
    .scalar_subquery()
)


def _candidates(after: str, size: int) -> Select[tuple[str]]:
    """The next ``size`` reviewed clips in id order: a walk along the primary key, so a page
    costs the same at the end of a million clips as at the start."""
    return (
        select(ClipOutcome.utterance_id)
        .where(ClipOutcome.utterance_id > after)
        .order_by(ClipOutcome.utterance_id)
        .limit(size)
    )


def _curated_among(now: datetime, ids: list[str]) -> Select[Any]:
    return (
        select(
            Utterance.id,
            Utterance.account_id,
            ClipOutcome.transcript,
            ClipOutcome.intent,
            ClipOutcome.method,
            Utterance.locale,
            Utterance.device_type,
            Utterance.duration_s,
            Utterance.recorded_at,
            Utterance.device_asr_sealed,
            Utterance.device_asr_confidence,
            Utterance.device_intent,
            _REVIEW_COPY.label("review_copy_id"),
        )
        .join(ClipOutcome, ClipOutcome.utterance_id == Utterance.id)
        .join(Account, Account.id == Utterance.account_id)
        .where(Utterance.id.in_(ids), curated(now))
        .order_by(Utterance.id)
    )


def iter_curated(
    db: Database,
    now: datetime,
    *,
    splits: tuple[str, ...] = SPLITS,
    page_size: int = 500,
) -> Iterator[CuratedClip]:
    """Every curated clip in id order, a page per short read: constant memory, no write lock."""
    after = ""
    while True:
        with db.read() as session:
            ids = list(session.execute(_candidates(after, page_size)).scalars())
            rows = session.execute(_curated_among(now, ids)).all() if ids else []
        for row in rows:
            split = split_of(row.account_id)
            if split not in splits:
                continue
            yield CuratedClip(
                id=row.id,
                account_id=row.account_id,
                split=split,
                text=row.transcript or "",
                intent=row.intent or "",
                method=row.method or "",
                locale=row.locale,
                device_type=row.device_type,
                duration_s=float(row.duration_s),
                recorded_at=row.recorded_at,
                device_text_sealed=row.device_asr_sealed,
                device_confidence=float(row.device_asr_confidence),
                device_intent=row.device_intent,
                review_copy_id=row.review_copy_id,
            )
        if len(ids) < page_size:
            return
        after = ids[-1]


def count_curated(db: Database, now: datetime) -> int:
    with db.read() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Utterance)
                .join(ClipOutcome, ClipOutcome.utterance_id == Utterance.id)
                .join(Account, Account.id == Utterance.account_id)
                .where(curated(now))
            ).scalar_one()
        )


__all__ = [
    "EXCLUDING_FLAGS",
    "RULES_VERSION",
    "SPLITS",
    "CuratedClip",
    "consents_to_training",
    "count_curated",
    "curated",
    "iter_curated",
    "split_of",
]

"""Reproducible sampling: HMAC(secret, utterance id) against a rate, with recorded reasons.

Reasons: ``no_review_consent``, ``not_drawn``, ``account_cap``, ``drawn``,
``drawn_low_confidence`` (active learning: a low device ASR confidence boosts the rate).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.orm import Session

from voxguard.config import Settings
from voxguard.db.base import UTCDateTime, utcnow
from voxguard.db.models import Account, SamplingDecision
from voxguard.vault.service import Vault

CAP_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class SamplingPolicy:
    rate: float
    low_confidence_threshold: float
    low_confidence_boost: float
    account_cap_30d: int


def policy_from(settings: Settings) -> SamplingPolicy:
    return SamplingPolicy(
        rate=settings.sampling_rate,
        low_confidence_threshold=settings.sampling_low_confidence_threshold,
        low_confidence_boost=settings.sampling_low_confidence_boost,
        account_cap_30d=settings.sampling_account_cap_30d,
    )


def sampling_secret(vault: Vault) -> bytes:
    """The draw's key: derived from the master key, so only the operator can recompute a draw."""
    return vault.derived_secret("sampling")


def draw(secret: bytes, utterance_id: str) -> float:
    """A uniform number in [0, 1) that anyone holding the secret can recompute."""
    digest = hmac.new(secret, utterance_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def effective_rate(policy: SamplingPolicy, asr_confidence: float) -> tuple[float, bool]:
    if asr_confidence < policy.low_confidence_threshold:
        return min(1.0, policy.rate * policy.low_confidence_boost), True
    return policy.rate, False


_LOCK_ACCOUNT = (
    select(Account.id)
    .where(Account.id == bindparam("account_id", type_=String()))
    .with_for_update(key_share=True)
)


_SAMPLED_SINCE = (
    select(func.count())
    .select_from(SamplingDecision)
    .where(
        SamplingDecision.account_id == bindparam("account_id", type_=String()),
        SamplingDecision.sampled.is_(True),
        SamplingDecision.decided_at >= bindparam("since", type_=UTCDateTime()),
    )
)


def decide(
    session: Session,
    *,
    policy: SamplingPolicy,
    secret: bytes,
    utterance_id: str,
    account_id: str,
    asr_confidence: float,
    review_consent: str,
) -> SamplingDecision:
    """Decide; the caller adds the decision after its utterance. Call it before inserting rows
    that reference the account (the utterance): on PostgreSQL their foreign-key lock taken
    first, then the cap's row lock, deadlocks two concurrent uploads of one account."""
    value = draw(secret, utterance_id)
    rate, boosted = effective_rate(policy, asr_confidence)
    if review_consent != "opted_in":
        reason = "no_review_consent"
    elif value >= rate:
        reason = "not_drawn"
    elif _sampled_recently(session, account_id) >= policy.account_cap_30d:
        reason = "account_cap"
    else:
        reason = "drawn_low_confidence" if boosted else "drawn"
    decision = SamplingDecision(
        utterance_id=utterance_id,
        account_id=account_id,
        sampled=reason.startswith("drawn"),
        reason=reason,
        draw=value,
        rate=rate,
    )
    return decision


def _sampled_recently(session: Session, account_id: str) -> int:
    # Lock the account row so concurrent uploads of one account cannot both slip under the cap.
    # FOR NO KEY UPDATE does not conflict with the key-share lock a foreign key takes, so uploads
    # of the account that are not being counted still insert freely; the caller decides before
    # it inserts anything that references the account, so this is the first lock it takes.
    session.execute(_LOCK_ACCOUNT, {"account_id": account_id})
    since = utcnow() - CAP_WINDOW
    return session.execute(_SAMPLED_SINCE, {"account_id": account_id, "since": since}).scalar_one()

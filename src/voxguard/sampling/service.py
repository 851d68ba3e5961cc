"""Reproducible sampling: HMAC(secret, utterance id) against a rate, with recorded reasons.

Reasons: ``no_review_consent``, ``not_drawn``, ``account_cap``, ``drawn``,
``drawn_low_confidence`` (active learning: a low device ASR confidence boosts the rate).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxguard.config import Settings
from voxguard.db.base import utcnow
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
    session.add(decision)
    return decision


def _sampled_recently(session: Session, account_id: str) -> int:
    # Lock the account row so concurrent uploads of one account cannot both slip under the cap.
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    return session.execute(
        select(func.count())
        .select_from(SamplingDecision)
        .where(
            SamplingDecision.account_id == account_id,
            SamplingDecision.sampled.is_(True),
            SamplingDecision.decided_at >= utcnow() - CAP_WINDOW,
        )
    ).scalar_one()

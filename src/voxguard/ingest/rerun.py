"""Deciding sampling again for what is already stored (``voxguard sampling rerun``).

Ingest decides once, at upload, with the rate then in force; uploading the same utterance again
answers "already present". So clips stored under a low rate (0.002 by default) could never be
sampled later. This runs ingest's decision again for stored, not-yet-sampled utterances of
accounts whose consent in force allows review and storage: the same HMAC draw (so a clip is
drawn at a higher rate exactly when its draw lies below it), the same per-account cap, the same
record (the decision row, and an audit event that also names the decision it replaces), and the
sampled ones are queued for the privacy pipeline as ingest queues them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.consent.service import current_consent, get_account
from voxguard.db.base import utcnow
from voxguard.db.models import Account, SamplingDecision, Utterance
from voxguard.db.session import Database
from voxguard.ingest.service import queue_for_review
from voxguard.sampling.service import SamplingPolicy, decide, sampling_secret
from voxguard.vault.service import Vault


@dataclass
class RerunSummary:
    dry_run: bool
    accounts: int = 0  # accounts whose stored clips were decided again
    skipped_accounts: int = 0  # consent in force allows no review, no storage, or "don't save"
    considered: int = 0
    sampled: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def _may_be_sampled(session: Session, account_id: str) -> bool:
    consent = current_consent(session, account_id)
    return (
        consent.human_review == "opted_in"
        and consent.store_recordings
        and consent.retention != "dont_save"
    )


def _waiting(session: Session, account_id: str) -> list[Utterance]:
    """Stored, never sampled, still whole (not deleted, expired or restricted): oldest first."""
    return list(
        session.execute(
            select(Utterance)
            .where(
                Utterance.account_id == account_id,
                Utterance.sampled.is_(False),
                Utterance.status == "received",
                Utterance.deleted_at.is_(None),
                Utterance.restricted.is_(False),
            )
            .order_by(Utterance.received_at, Utterance.id)
        ).scalars()
    )


def rerun_sampling(
    db: Database,
    vault: Vault,
    *,
    policy: SamplingPolicy,
    max_attempts: int,
    actor: str,
    account_ref: str | None = None,
    dry_run: bool = False,
) -> RerunSummary:
    """Decide again for every stored, unsampled utterance (of one account, with ``account_ref``).

    One transaction per account, so its cap counts the clips drawn earlier in the same run.
    ``dry_run`` decides exactly as a real run would and then rolls every account back.
    """
    summary = RerunSummary(dry_run=dry_run)
    secret = sampling_secret(vault)
    with db.read() as session:
        if account_ref is not None:
            account_ids = [get_account(session, account_ref).id]  # UnknownAccount if none
        else:
            # An erased account's row is gone (consent.erasure): every row here is live.
            account_ids = list(session.execute(select(Account.id).order_by(Account.ref)).scalars())
    for account_id in account_ids:
        with db.session() as session:
            _rerun_account(session, account_id, policy, secret, max_attempts, actor, summary)
            if dry_run:
                session.rollback()
    return summary


def _rerun_account(
    session: Session,
    account_id: str,
    policy: SamplingPolicy,
    secret: bytes,
    max_attempts: int,
    actor: str,
    summary: RerunSummary,
) -> None:
    if not _may_be_sampled(session, account_id):
        summary.skipped_accounts += 1
        return
    utterances = _waiting(session, account_id)
    if not utterances:
        return
    summary.accounts += 1
    for utterance in utterances:
        decision = decide(
            session,
            policy=policy,
            secret=secret,
            utterance_id=utterance.id,
            account_id=account_id,
            asr_confidence=utterance.device_asr_confidence,
            review_consent="opted_in",  # checked above, under this transaction
        )
        previous = session.get(SamplingDecision, utterance.id)
        details = {
            "sampled": decision.sampled,
            "sampling_reason": decision.reason,
            "draw": decision.draw,
            "rate": decision.rate,
            "previous_reason": previous.reason if previous else None,
            "previous_rate": previous.rate if previous else None,
        }
        if previous is None:
            session.add(decision)
        else:  # one decision per utterance: the one in force; the audit log keeps the last
            previous.sampled, previous.reason = decision.sampled, decision.reason
            previous.draw, previous.rate = decision.draw, decision.rate
            previous.decided_at = utcnow()  # the cap's 30 days count from this decision
        summary.considered += 1
        summary.reasons[decision.reason] += 1
        if decision.sampled:
            summary.sampled += 1
            queue_for_review(session, utterance, max_attempts=max_attempts)
        session.flush()  # the cap of the next decision counts this one
        audit.record(
            session,
            actor=actor,
            action="sampling.rerun",
            target=f"utterance:{utterance.id}",
            account_id=account_id,
            details=details,
        )

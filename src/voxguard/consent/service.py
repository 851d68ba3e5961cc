"""Accounts and their versioned consent. Withdrawal takes effect before the call returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.db.models import Account, ConsentRecord
from voxguard.vault.service import Vault

ReviewChoice = Literal["opted_in", "opted_out"]
REVIEW_CHOICES: tuple[str, ...] = ("opted_in", "opted_out")


class UnknownAccount(LookupError):
    pass


@dataclass(frozen=True)
class ConsentDefaults:
    human_review: ReviewChoice
    store_recordings: bool


def find_account(session: Session, ref: str) -> Account | None:
    return session.execute(select(Account).where(Account.ref == ref)).scalar_one_or_none()


def get_account(session: Session, ref: str) -> Account:
    account = find_account(session, ref)
    if account is None or account.erased_at is not None:
        raise UnknownAccount(f"no account {ref!r}")
    return account


def get_or_create_account(
    session: Session,
    ref: str,
    *,
    region: str,
    defaults: ConsentDefaults,
    vault: Vault,
    actor: str,
) -> Account:
    """The account for ``ref``; a new one starts with the configured default consent."""
    account = find_account(session, ref)
    if account is not None:
        return account
    account = Account(ref=ref, data_region=region)
    session.add(account)
    session.flush()
    vault.create_account_key(session, account.id)
    _append(session, account.id, defaults.store_recordings, defaults.human_review, "default")
    audit.record(
        session,
        actor=actor,
        action="account.created",
        target=f"account:{account.id}",
        account_id=account.id,
        details={
            "region": region,
            "human_review": defaults.human_review,
            "store_recordings": defaults.store_recordings,
        },
    )
    return account


def current_consent(session: Session, account_id: str) -> ConsentRecord:
    record = session.execute(
        select(ConsentRecord)
        .where(ConsentRecord.account_id == account_id)
        .order_by(ConsentRecord.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if record is None:
        raise UnknownAccount(f"account {account_id} has no consent record")
    return record


def _append(
    session: Session, account_id: str, store: bool, review: str, source: str
) -> ConsentRecord:
    latest = session.execute(
        select(ConsentRecord.version)
        .where(ConsentRecord.account_id == account_id)
        .order_by(ConsentRecord.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    record = ConsentRecord(
        account_id=account_id,
        version=(latest or 0) + 1,
        store_recordings=store,
        human_review=review,
        source=source,
    )
    session.add(record)
    session.flush()
    return record


def change_consent(
    session: Session,
    account: Account,
    *,
    review: ReviewChoice | None,
    store: bool | None,
    source: str,
    actor: str,
) -> ConsentRecord:
    """Record a new consent version. Opting out cancels open work and revokes live leases now."""
    if review is not None and review not in REVIEW_CHOICES:
        raise ValueError(f"review must be one of {', '.join(REVIEW_CHOICES)}, not {review!r}")
    # Lock the account so concurrent changes get consecutive versions.
    session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    before = current_consent(session, account.id)
    record = _append(
        session,
        account.id,
        before.store_recordings if store is None else store,
        before.human_review if review is None else review,
        source,
    )
    cancelled = 0
    if record.human_review == "opted_out" or not record.store_recordings:
        cancelled = work.cancel_for_account(session, account.id, "consent withdrawn")
    audit.record(
        session,
        actor=actor,
        action="consent.changed",
        target=f"account:{account.id}",
        account_id=account.id,
        details={
            "version": record.version,
            "human_review": record.human_review,
            "store_recordings": record.store_recordings,
            "source": source,
            "open_work_cancelled": cancelled,
        },
    )
    return record

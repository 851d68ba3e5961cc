"""Accounts and their versioned consent. Withdrawal takes effect before the call returns."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.consent.errors import InvalidConsent, UnknownAccount
from voxguard.db.models import Account, ConsentRecord, Utterance
from voxguard.vault.service import Vault

ReviewChoice = Literal["opted_in", "opted_out"]
RetentionChoice = Literal["dont_save", "3_months", "18_months", "until_deleted"]
REVIEW_CHOICES: tuple[str, ...] = ("opted_in", "opted_out")
RETENTION_CHOICES: tuple[str, ...] = ("dont_save", "3_months", "18_months", "until_deleted")
# How long an original is kept under each choice; dont_save keeps it only while it is processed.
RETENTION_PERIODS: dict[str, timedelta | None] = {
    "dont_save": timedelta(0),
    "3_months": timedelta(days=91),
    "18_months": timedelta(days=548),
    "until_deleted": None,
}
# Account references as operators write them; anything else is answered like an unknown one.
ACCOUNT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$")

__all__ = ["UnknownAccount"]  # re-exported: callers catch it from here


@dataclass(frozen=True)
class ConsentDefaults:
    human_review: ReviewChoice
    store_recordings: bool
    model_training: bool = False
    retention: RetentionChoice = "3_months"
    notice_version: str = ""


@dataclass(frozen=True)
class ConsentChange:
    """A change of consent; None leaves that choice as it is."""

    human_review: str | None = None
    store_recordings: bool | None = None
    model_training: bool | None = None
    retention: str | None = None
    notice_version: str | None = None


def find_account(session: Session, ref: str) -> Account | None:
    return session.execute(select(Account).where(Account.ref == ref)).scalar_one_or_none()


def get_account(session: Session, ref: str) -> Account:
    """The live account for ``ref``; unknown, erased and malformed references look the same."""
    account = find_account(session, ref) if ACCOUNT_REF.match(ref or "") else None
    if account is None:  # an erased account's row is gone: it looks like one never seen
        raise UnknownAccount("no such account")
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
    _append(
        session,
        account.id,
        ConsentChange(
            human_review=defaults.human_review,
            store_recordings=defaults.store_recordings,
            model_training=defaults.model_training,
            retention=defaults.retention,
            notice_version=defaults.notice_version,
        ),
        None,
        "default",
    )
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
            "model_training": defaults.model_training,
            "retention": defaults.retention,
        },
    )
    return account


# Built once: every upload reads the consent in force twice.
_CURRENT_CONSENT = (
    select(ConsentRecord)
    .where(ConsentRecord.account_id == bindparam("account_id", type_=String()))
    .order_by(ConsentRecord.version.desc())
    .limit(1)
)


def current_consent(session: Session, account_id: str) -> ConsentRecord:
    record = session.execute(_CURRENT_CONSENT, {"account_id": account_id}).scalar_one_or_none()
    if record is None:
        raise UnknownAccount(f"account {account_id} has no consent record")
    return record


def current_consents(
    session: Session, account_ids: Collection[str] | None = None
) -> list[ConsentRecord]:
    """The consent in force of every account (of ``account_ids`` only, when given)."""
    latest = select(ConsentRecord.account_id, func.max(ConsentRecord.version).label("version"))
    if account_ids is not None:
        latest = latest.where(ConsentRecord.account_id.in_(set(account_ids)))
    newest = latest.group_by(ConsentRecord.account_id).subquery()
    return list(
        session.execute(
            select(ConsentRecord).join(
                newest,
                (ConsentRecord.account_id == newest.c.account_id)
                & (ConsentRecord.version == newest.c.version),
            )
        ).scalars()
    )


def consent_history(session: Session, account_id: str) -> list[ConsentRecord]:
    return list(
        session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.account_id == account_id)
            .order_by(ConsentRecord.version)
        ).scalars()
    )


def _append(
    session: Session,
    account_id: str,
    change: ConsentChange,
    before: ConsentRecord | None,
    source: str,
) -> ConsentRecord:
    def pick(new: object, old: object) -> object:
        return old if new is None else new

    record = ConsentRecord(
        account_id=account_id,
        version=(before.version if before else 0) + 1,
        human_review=pick(change.human_review, before and before.human_review),
        store_recordings=pick(change.store_recordings, before and before.store_recordings),
        model_training=pick(change.model_training, before and before.model_training),
        retention=pick(change.retention, before and before.retention),
        notice_version=pick(change.notice_version, before and before.notice_version) or "",
        source=source,
    )
    session.add(record)
    session.flush()
    return record


def _check(change: ConsentChange) -> None:
    if change.human_review is not None and change.human_review not in REVIEW_CHOICES:
        raise InvalidConsent(
            f"human_review must be one of {', '.join(REVIEW_CHOICES)}, not {change.human_review!r}"
        )
    if change.retention is not None and change.retention not in RETENTION_CHOICES:
        raise InvalidConsent(
            f"retention must be one of {', '.join(RETENTION_CHOICES)}, not {change.retention!r}"
        )
    if change.notice_version is not None and not 1 <= len(change.notice_version) <= 32:
        raise InvalidConsent("notice_version must have 1 to 32 characters")


def expiry_for(retention: str, received_at: datetime) -> datetime | None:
    """When a recording received at ``received_at`` expires under ``retention``."""
    period = RETENTION_PERIODS[retention]
    return None if period is None else received_at + period


def change_consent(
    session: Session,
    account: Account,
    *,
    review: ReviewChoice | None = None,
    store: bool | None = None,
    model_training: bool | None = None,
    retention: RetentionChoice | None = None,
    notice_version: str | None = None,
    source: str,
    actor: str,
) -> ConsentRecord:
    """Record a new consent version. Opting out cancels open work and revokes live leases now;
    a new retention choice re-dates the expiry of every recording the account has."""
    change = ConsentChange(review, store, model_training, retention, notice_version)
    _check(change)
    # Lock the account so concurrent changes get consecutive versions.
    session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    before = current_consent(session, account.id)
    record = _append(session, account.id, change, before, source)
    cancelled = 0
    if record.human_review == "opted_out" or not record.store_recordings:
        cancelled = work.cancel_for_account(session, account.id, "consent withdrawn")
    redated = 0
    if record.retention != before.retention:
        redated = _redate(session, account.id, record.retention)
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
            "model_training": record.model_training,
            "retention": record.retention,
            "notice_version": record.notice_version,
            "source": source,
            "open_work_cancelled": cancelled,
            "recordings_redated": redated,
        },
    )
    return record


def _redate(session: Session, account_id: str, retention: str) -> int:
    utterances = session.execute(
        select(Utterance).where(Utterance.account_id == account_id, Utterance.deleted_at.is_(None))
    ).scalars()
    count = 0
    for utterance in utterances:
        utterance.expires_at = expiry_for(retention, utterance.received_at)
        count += 1
    session.flush()
    return count

"""Erasure of one recording or of a whole account, with a receipt and a ledger entry.

Order matters. The ledger entry is written first (so a crash, or a backup restored later, can
only lead to the erasure being applied again, never to it being forgotten). For an account the
data key is destroyed next, so every byte it ever had is noise wherever a copy survives; then
its objects and rows go. What remains is a receipt and audit events that carry internal random
ids only: never the account reference, a device serial or anything that was said.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Column, delete, select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.consent.errors import InvalidErasureRequest, UnknownErasure, UnknownRecording
from voxguard.consent.exports import exports_holding
from voxguard.consent.ledger import ErasureLedger, LedgerEntry
from voxguard.db.base import Base, new_id, utcnow
from voxguard.db.models import (
    Account,
    Blob,
    Erasure,
    Exposure,
    Utterance,
    WorkItem,
)
from voxguard.db.session import Database
from voxguard.vault.service import Vault


def _rows_referring_to(table: str) -> list[Column[Any]]:
    """Every column with a foreign key to ``table``'s id, children's tables first.

    Read from the models rather than listed here, so rows a newer part adds about a recording
    or an account (e.g. export lineage) are erased with it too, never left to block or survive.
    """
    return [
        fk.parent
        for model_table in reversed(Base.metadata.sorted_tables)
        for fk in model_table.foreign_keys
        if fk.column.table.name == table
    ]


# How the request reached us: the privacy API and the self-service page, a request an operator
# received another way (OPERATOR_CHANNELS: what a person picks on the officer's page or in the
# CLI), or the ledger re-applied after a restore. A closed list, never free text: an erasure's
# record must not become a place where the person's name or message is kept.
OPERATOR_CHANNELS = ("email", "letter", "phone", "in_person", "other")
REQUEST_CHANNELS = ("api", "self_service", *OPERATOR_CHANNELS, "ledger")


def _check_channel(channel: str) -> None:
    if channel not in REQUEST_CHANNELS:
        raise InvalidErasureRequest(
            f"unknown request channel {channel!r}; known: {', '.join(REQUEST_CHANNELS)}"
        )


def recent_erasures(session: Session, *, limit: int = 50) -> list[Erasure]:
    """The latest receipts, newest first: what was erased, when, on whose request, and which
    exports held the data (for the operator to recall)."""
    query = select(Erasure).order_by(Erasure.requested_at.desc(), Erasure.id).limit(limit)
    return list(session.execute(query).scalars())


def ledger_of(settings: Settings) -> ErasureLedger:
    return ErasureLedger(settings.resolved_erasure_ledger_file)


def _ledgered(
    settings: Settings,
    kind: str,
    account_id: str,
    recording_id: str | None,
    erasure_id: str | None,
    requested_at: datetime | None,
    write_ledger: bool,
) -> tuple[str, datetime]:
    """The erasure's id and time, written to the ledger before anything is removed (unless it
    is being re-applied from the ledger)."""
    erasure_id = erasure_id or new_id()
    requested_at = requested_at or utcnow()
    if write_ledger:
        ledger_of(settings).append(
            LedgerEntry(erasure_id, kind, account_id, recording_id, requested_at.isoformat())
        )
    return erasure_id, requested_at


def _receipt(
    session: Session,
    *,
    erasure_id: str,
    kind: str,
    account_id: str,
    utterance_id: str | None,
    actor: str,
    requested_at: datetime,
    details: dict[str, object],
) -> Erasure:
    erasure = session.get(Erasure, erasure_id)
    if erasure is None:  # re-applied from the ledger: the receipt keeps its first id
        erasure = Erasure(
            id=erasure_id,
            kind=kind,
            account_id=account_id,
            utterance_id=utterance_id,
            requested_by=actor,
            requested_at=requested_at,
        )
        session.add(erasure)
    erasure.completed_at = utcnow()
    erasure.details = details
    return erasure


def _holding(session: Session, account_id: str, utterance_ids: Iterable[str] | None) -> list[dict]:  # type: ignore[type-arg]
    ids = None if utterance_ids is None else list(utterance_ids)
    return [
        {"export_id": h.export_id, "recording_id": h.utterance_id, "at": h.at.isoformat()}
        for h in exports_holding(session, account_id, ids)
    ]


def _remove_recordings(
    session: Session, vault: Vault, utterance_ids: list[str], *, actor: str, reason: str
) -> int:
    """Shred and delete the blobs, then delete every row of these recordings."""
    if not utterance_ids:
        return 0
    blobs = list(
        session.execute(select(Blob).where(Blob.utterance_id.in_(utterance_ids))).scalars()
    )
    for blob in blobs:
        if blob.deleted_at is None:  # shredded blobs' objects went when they were shredded
            vault.shred_blob(session, blob, actor=actor, reason=reason)
    session.flush()
    for column in _rows_referring_to("utterances"):
        session.execute(delete(column.table).where(column.in_(utterance_ids)))
    # Deleting a job's row makes a worker still running it lose its lease: it cannot finish.
    session.execute(delete(WorkItem).where(WorkItem.subject_id.in_(utterance_ids)))
    session.execute(delete(Utterance).where(Utterance.id.in_(utterance_ids)))
    return len(blobs)


def erase_recording(
    session: Session,
    settings: Settings,
    vault: Vault,
    account_id: str,
    recording_id: str,
    *,
    actor: str,
    erasure_id: str | None = None,
    requested_at: datetime | None = None,
    write_ledger: bool = True,
    channel: str = "api",
) -> Erasure:
    """Erase one recording; erasing it again answers with the first receipt."""
    _check_channel(channel)
    utterance = (
        session.execute(
            select(Utterance).where(Utterance.id == recording_id).with_for_update()
        ).scalar_one_or_none()
        if len(recording_id) <= 32
        else None
    )
    if utterance is None or utterance.account_id != account_id:
        earlier = session.execute(
            select(Erasure).where(
                Erasure.account_id == account_id,
                Erasure.utterance_id == recording_id,
                Erasure.kind == "recording",
            )
        ).scalar_one_or_none()
        if earlier is None:
            raise UnknownRecording("no such recording")
        return earlier
    erasure_id, requested_at = _ledgered(
        settings, "recording", account_id, recording_id, erasure_id, requested_at, write_ledger
    )
    work.cancel_for_subject(session, recording_id, "recording erased")
    holding = _holding(session, account_id, [recording_id])
    shredded = _remove_recordings(session, vault, [recording_id], actor=actor, reason="erased")
    audit.record(
        session,
        actor=actor,
        action="recording.erased",
        target=f"utterance:{recording_id}",
        account_id=account_id,
        details={"erasure": erasure_id, "blobs_shredded": shredded, "channel": channel},
    )
    return _receipt(
        session,
        erasure_id=erasure_id,
        kind="recording",
        account_id=account_id,
        utterance_id=recording_id,
        actor=actor,
        requested_at=requested_at,
        details={"blobs_shredded": shredded, "exports_holding": holding, "channel": channel},
    )


def erase_account(
    session: Session,
    settings: Settings,
    vault: Vault,
    account_id: str,
    *,
    actor: str,
    erasure_id: str | None = None,
    requested_at: datetime | None = None,
    write_ledger: bool = True,
    channel: str = "api",
) -> Erasure:
    """Erase everything of an account: its key first, then its objects and every row."""
    _check_channel(channel)
    erasure_id, requested_at = _ledgered(
        settings, "account", account_id, None, erasure_id, requested_at, write_ledger
    )
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    work.cancel_for_account(session, account_id, "account erased")
    utterance_ids = list(
        session.execute(select(Utterance.id).where(Utterance.account_id == account_id)).scalars()
    )
    holding = _holding(session, account_id, None)
    # The data key goes first: from here on every copy of every blob is noise.
    blobs = vault.shred_account(session, account_id, actor=actor, reason="account erased")
    _remove_recordings(session, vault, utterance_ids, actor=actor, reason="account erased")
    # Rows that name the account without a foreign key: its work items and exposures.
    for model in (WorkItem, Exposure):
        session.execute(delete(model).where(model.account_id == account_id))
    for column in _rows_referring_to("accounts"):
        session.execute(delete(column.table).where(column == account_id))
    session.execute(delete(Account).where(Account.id == account_id))
    audit.record(
        session,
        actor=actor,
        action="account.erased",
        target=f"account:{account_id}",
        account_id=account_id,
        details={
            "erasure": erasure_id,
            "recordings": len(utterance_ids),
            "blobs": blobs,
            "channel": channel,
        },
    )
    return _receipt(
        session,
        erasure_id=erasure_id,
        kind="account",
        account_id=account_id,
        utterance_id=None,
        actor=actor,
        requested_at=requested_at,
        details={
            "recordings_erased": len(utterance_ids),
            "blobs_shredded": blobs,
            "exports_holding": holding,
            "channel": channel,
        },
    )


def erase(
    session: Session,
    settings: Settings,
    vault: Vault,
    account_id: str,
    recording_id: str | None,
    *,
    actor: str,
    channel: str,
    erasure_id: str | None = None,
    requested_at: datetime | None = None,
    write_ledger: bool = True,
) -> Erasure:
    """One recording when ``recording_id`` is given, else the whole account."""
    common: dict[str, Any] = {
        "actor": actor,
        "channel": channel,
        "erasure_id": erasure_id,
        "requested_at": requested_at,
        "write_ledger": write_ledger,
    }
    if recording_id:
        return erase_recording(session, settings, vault, account_id, recording_id, **common)
    return erase_account(session, settings, vault, account_id, **common)


def get_erasure(session: Session, erasure_id: str, account_id: str | None = None) -> Erasure:
    erasure = session.get(Erasure, erasure_id) if len(erasure_id) <= 32 else None
    if erasure is None or (account_id is not None and erasure.account_id != account_id):
        raise UnknownErasure("no such erasure")
    return erasure


def pending_from_ledger(session: Session, settings: Settings) -> list[LedgerEntry]:
    """Ledger entries whose data the database still holds (e.g. after a backup was restored)."""
    entries = ledger_of(settings).entries()
    accounts = {e.account_id for e in entries if e.kind == "account"}
    recordings = {e.utterance_id for e in entries if e.kind == "recording" and e.utterance_id}
    present_accounts = _present(session, Account.id, accounts)
    present_recordings = _present(session, Utterance.id, recordings)
    return [
        e
        for e in entries
        if (e.kind == "account" and e.account_id in present_accounts)
        or (e.kind == "recording" and e.utterance_id in present_recordings)
    ]


def reapply_ledger(db: Database, settings: Settings, vault: Vault) -> int:
    """Apply again every ledgered erasure whose data the database holds; returns how many.

    Run by ``backup restore`` before anything is served and by ``serve`` / ``worker`` on start.
    """
    with db.read() as session:
        pending = pending_from_ledger(session, settings)
    for entry in pending:
        with db.session() as session:
            erase(
                session,
                settings,
                vault,
                entry.account_id,
                entry.utterance_id if entry.kind == "recording" else None,
                actor="system:erasure-ledger",
                channel="ledger",
                erasure_id=entry.erasure_id,
                requested_at=datetime.fromisoformat(entry.at),
                write_ledger=False,
            )
    if pending:
        db.purge_deleted_pages()
    return len(pending)


def _present(session: Session, column, ids: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.execute(select(column).where(column.in_(chunk))).scalars())
    return found

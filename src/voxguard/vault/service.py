"""The vault: stores and reads encrypted blobs of an account, and crypto-shreds.

Key hierarchy: master key -> account data key (wrapped, in ``account_keys``) -> per-blob key
(HKDF of a root made from the data key and the blob's random salt, and the blob's id).
Destroying the wrapped data key makes every blob of the account noise, wherever copies live;
erasing one blob's salt shreds that blob alone.

Free text with personal data in it (the device's transcript of an utterance) is sealed under
the account's data key too and kept in the database as ciphertext: the database's files, dumps
and backups alone never hold it readable, and erasing the account turns every copy into noise.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import new_id, utcnow
from voxguard.db.models import AccountKey, Blob
from voxguard.vault.crypto import (
    decrypt_blob,
    encrypt_blob,
    generate_data_key,
    open_text,
    seal_text,
    unwrap_data_key,
    wrap_data_key,
)
from voxguard.vault.errors import KeyDestroyedError
from voxguard.vault.follow_transaction import after_commit, after_rollback
from voxguard.vault.stores import BlobStore

SALT_BYTES = 16


def device_text_subject(utterance_id: str) -> str:
    """What a sealed device transcript is bound to: this utterance's device_asr_sealed."""
    return f"utterance/{utterance_id}/device_asr"


def device_text_sealer(
    master_key: bytes,
) -> Callable[[bytes | None, str, str, str], bytes | None]:
    """Seals device transcripts of rows read straight from the database (the 0007 data
    migration): (wrapped data key, account id, utterance id, text) -> ciphertext, or None when
    the account's key was destroyed. Each account's key is unwrapped once."""
    data_keys: dict[str, bytes] = {}

    def seal(wrapped: bytes | None, account_id: str, utterance_id: str, text: str) -> bytes | None:
        if wrapped is None:
            return None
        if account_id not in data_keys:
            data_keys[account_id] = unwrap_data_key(master_key, wrapped, account_id)
        return seal_text(data_keys[account_id], account_id, device_text_subject(utterance_id), text)

    return seal


# Built once: every listen and every sealed blob reads it.
_WRAPPED_KEY = select(AccountKey.wrapped_key).where(
    AccountKey.account_id == bindparam("account_id", type_=String())
)


class Vault:
    def __init__(self, master_key: bytes, store: BlobStore) -> None:
        self._master_key = master_key
        self.store = store

    def derived_secret(self, purpose: str) -> bytes:
        """A secret for another part (e.g. sampling) derived from the master key."""
        label = f"voxguard {purpose} v1".encode()
        return hmac.new(self._master_key, label, hashlib.sha256).digest()

    def create_account_key(self, session: Session, account_id: str) -> None:
        wrapped = wrap_data_key(self._master_key, generate_data_key(), account_id)
        session.add(AccountKey(account_id=account_id, wrapped_key=wrapped))

    def _data_key(self, session: Session, account_id: str) -> bytes:
        row = session.execute(_WRAPPED_KEY, {"account_id": account_id}).first()
        if row is None or row.wrapped_key is None:
            raise KeyDestroyedError(
                f"account {account_id}: data key destroyed; its recordings are crypto-shredded"
            )
        return unwrap_data_key(self._master_key, row.wrapped_key, account_id)

    @staticmethod
    def _blob_root(data_key: bytes, salt: bytes | None, blob_id: str) -> bytes:
        if salt is None:
            raise KeyDestroyedError(f"blob {blob_id}: key material erased; the blob is shredded")
        return hmac.new(data_key, salt, hashlib.sha256).digest()

    def seal(
        self, session: Session, *, account_id: str, utterance_id: str, kind: str, plaintext: bytes
    ) -> Blob:
        """Encrypt and write the object; return its Blob row for the caller to add.

        Split from ``put`` so that slow I/O happens outside the write transaction; the caller
        hands the object to that transaction with ``discard_if_rolled_back``.
        """
        blob_id, salt = new_id(), os.urandom(SALT_BYTES)
        key = self._blob_root(self._data_key(session, account_id), salt, blob_id)
        ciphertext = encrypt_blob(key, account_id, blob_id, plaintext)
        store_key = f"acct/{account_id}/{blob_id}"
        self.store.put(store_key, ciphertext)
        blob = Blob(
            id=blob_id,
            account_id=account_id,
            utterance_id=utterance_id,
            kind=kind,
            store_key=store_key,
            key_salt=salt,
            size_bytes=len(ciphertext),
        )
        return blob

    def put(
        self, session: Session, *, account_id: str, utterance_id: str, kind: str, plaintext: bytes
    ) -> Blob:
        """Encrypt and store; the Blob row joins the caller's transaction, and the object is
        removed again if that transaction rolls back."""
        blob = self.seal(
            session,
            account_id=account_id,
            utterance_id=utterance_id,
            kind=kind,
            plaintext=plaintext,
        )
        session.add(blob)
        self.discard_if_rolled_back(session, blob.store_key)
        return blob

    def get(self, session: Session, blob: Blob) -> bytes:
        if blob.deleted_at is not None:
            raise KeyDestroyedError(f"blob {blob.id} was deleted")
        key = self._blob_root(self._data_key(session, blob.account_id), blob.key_salt, blob.id)
        return decrypt_blob(key, blob.account_id, blob.id, self.store.get(blob.store_key))

    def seal_device_text(
        self, session: Session, *, account_id: str, utterance_id: str, text: str
    ) -> bytes | None:
        """The device's transcript of an utterance as ciphertext for its database column
        (None for no words), under the account's data key and bound to the utterance."""
        if not text:
            return None
        subject = device_text_subject(utterance_id)
        return seal_text(self._data_key(session, account_id), account_id, subject, text)

    def open_device_text(
        self, session: Session, *, account_id: str, utterance_id: str, sealed: bytes | None
    ) -> str:
        """What ``seal_device_text`` sealed ("" for none); KeyDestroyedError once the account
        was erased."""
        if sealed is None:
            return ""
        subject = device_text_subject(utterance_id)
        return open_text(self._data_key(session, account_id), account_id, subject, sealed)

    def device_text_sealer(self) -> Callable[[bytes | None, str, str, str], bytes | None]:
        """For a schema upgrade of this installation's database (a restored old backup)."""
        return device_text_sealer(self._master_key)

    def discard_object(self, store_key: str) -> None:
        """Remove an object no row will point at (written, then not kept)."""
        self.store.delete(store_key)

    def discard_if_rolled_back(self, session: Session, store_key: str) -> None:
        """Remove the object written for the session's transaction if that rolls back."""
        after_rollback(session, lambda: self.discard_object(store_key))

    def shred_blob(self, session: Session, blob: Blob, *, actor: str, reason: str) -> None:
        """Erase the blob's salt (which makes every copy noise) and, once that commits, its
        object: a rollback leaves the blob as it was, readable."""
        blob.key_salt = None
        blob.deleted_at = utcnow()
        store_key = blob.store_key
        after_commit(session, lambda: self.store.delete(store_key))
        audit.record(
            session,
            actor=actor,
            action="blob.shredded",
            target=f"blob:{blob.id}",
            account_id=blob.account_id,
            details={"kind": blob.kind, "reason": reason},
        )

    def shred_account(self, session: Session, account_id: str, *, actor: str, reason: str) -> int:
        """Destroy the account's data key, then, once that commits, delete its objects (best
        effort: already noise)."""
        now = utcnow()
        session.execute(
            update(AccountKey)
            .where(AccountKey.account_id == account_id)
            .values(wrapped_key=None, destroyed_at=now)
        )
        blobs = (
            session.execute(
                select(Blob).where(Blob.account_id == account_id, Blob.deleted_at.is_(None))
            )
            .scalars()
            .all()
        )
        for blob in blobs:
            blob.key_salt, blob.deleted_at = None, now
        audit.record(
            session,
            actor=actor,
            action="key.destroyed",
            target=f"account:{account_id}",
            account_id=account_id,
            details={"blobs": len(blobs), "reason": reason},
        )
        prefix = f"acct/{account_id}/"
        after_commit(session, lambda: self.store.delete_prefix(prefix))
        return len(blobs)

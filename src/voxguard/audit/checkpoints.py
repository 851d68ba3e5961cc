"""Signed checkpoints of the audit chain's head, kept outside the database.

A checkpoint is (seq, hash, time) of the chain's head, signed with Ed25519 by a key that is not
in the database (derived from the master key by the caller), and appended as one JSON line to a
log file. Someone who can write the database but not that file or the key can still recompute
every hash after an edit, or cut the tail and rewrite the head row; verification against the
latest checkpoint then fails, because the event at the checkpoint's seq no longer has the
signed hash, or no longer exists. See docs/audit.md for what this does and does not detect.

The append hot path is untouched: checkpoints read the head row, they never lock it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.db.base import utcnow
from voxguard.db.models import AuditHead
from voxguard.db.session import Database

log = logging.getLogger(__name__)

_DOMAIN = b"voxguard audit checkpoint v1\n"
_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)


class CheckpointLogInvalid(Exception):
    """The checkpoint log is unreadable, carries a bad signature, or goes backwards."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    signature: str  # hex

    def signed_bytes(self) -> bytes:
        return _message(self.seq, self.hash, self.at)

    def to_line(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat(), "sig": self.signature},
            separators=(",", ":"),
        )


def _message(seq: int, head_hash: str, at: datetime) -> bytes:
    return _DOMAIN + f"{seq}\n{head_hash}\n{at.isoformat()}".encode()


SIGNING_KEY_PURPOSE = "audit checkpoint"


def signer_from(derive_secret: Callable[[str], bytes]) -> CheckpointSigner:
    """The signer whose key a master-key derivation gives (``Vault.derived_secret``)."""
    return CheckpointSigner(derive_secret(SIGNING_KEY_PURPOSE))


class CheckpointSigner:
    """Signs heads with an Ed25519 key made from a 32-byte seed (e.g. a master-key derivation)."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) < 32:
            raise ValueError("an Ed25519 seed needs 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed[:32])
        self.public_key = self._key.public_key()

    @property
    def public_key_hex(self) -> str:
        return self.public_key.public_bytes_raw().hex()

    def sign(self, seq: int, head_hash: str, at: datetime) -> Checkpoint:
        signature = self._key.sign(_message(seq, head_hash, at)).hex()
        return Checkpoint(seq, head_hash, at, signature)


def _verify_signature(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_head(session: Session, signer: CheckpointSigner) -> Checkpoint:
    head = session.execute(_HEAD).first()
    if head is None:
        raise CheckpointLogInvalid("audit_head row missing: nothing to checkpoint")
    return signer.sign(head.seq, head.hash, utcnow())


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """One line per checkpoint, appended (O_APPEND keeps concurrent writers' lines whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (checkpoint.to_line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(session: Session, signer: CheckpointSigner, path: Path) -> Checkpoint:
    """Sign the current head and append it to the log at ``path``."""
    checkpoint = sign_head(session, signer)
    append_checkpoint(path, checkpoint)
    return checkpoint


def _parse(line: str, number: int) -> Checkpoint:
    try:
        data = json.loads(line)
        return Checkpoint(
            int(data["seq"]), str(data["hash"]), datetime.fromisoformat(data["at"]), data["sig"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointLogInvalid(f"checkpoint log line {number} is unreadable: {exc}") from exc


def read_checkpoints(path: Path, public_key: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint in the log, each signature checked and seqs never going back."""
    if not path.exists():
        return []
    checkpoints: list[Checkpoint] = []
    with path.open(encoding="utf-8") as log_file:
        for number, line in enumerate(log_file, start=1):
            if not line.strip():
                continue
            checkpoint = _parse(line, number)
            if not _verify_signature(public_key, checkpoint):
                raise CheckpointLogInvalid(
                    f"checkpoint log line {number} (seq {checkpoint.seq}) has a bad signature"
                )
            if checkpoints and checkpoint.seq < checkpoints[-1].seq:
                raise CheckpointLogInvalid(
                    f"checkpoint log line {number} goes back from seq {checkpoints[-1].seq} "
                    f"to {checkpoint.seq}"
                )
            checkpoints.append(checkpoint)
    return checkpoints


def latest_checkpoint(path: Path, public_key: Ed25519PublicKey) -> Checkpoint | None:
    checkpoints = read_checkpoints(path, public_key)
    return checkpoints[-1] if checkpoints else None


class CheckpointSchedule:
    """Writes a checkpoint when ``interval_s`` has passed and the head has moved; called from
    the worker loop. A failure is logged, never raised: the worker's jobs matter more."""

    def __init__(
        self,
        db: Database,
        signer: CheckpointSigner,
        path: Path,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db, self.signer, self.path, self.interval_s = db, signer, path, interval_s
        self._clock = clock
        self._due_at = clock()  # the first call writes one
        self._last_seq: int | None = None

    def __call__(self) -> Checkpoint | None:
        if self._clock() < self._due_at:
            return None
        self._due_at = self._clock() + self.interval_s
        try:
            with self.db.lookup() as session:
                checkpoint = sign_head(session, self.signer)
            if checkpoint.seq == self._last_seq:
                return None
            append_checkpoint(self.path, checkpoint)
        except Exception as exc:  # disk full, database away: try again next interval
            log.warning("audit checkpoint not written: %s", exc)
            return None
        self._last_seq = checkpoint.seq
        return checkpoint

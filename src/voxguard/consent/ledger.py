"""The erasure ledger: every erasure, outside the database and so outside its backups.

A backup holds an account's wrapped data key; restoring it would bring an erased person back.
So each erasure is also appended here — a JSON line of internal random ids only, never an
account reference, serial or words — beside the master key, before the erasure itself runs.
``voxguard backup restore`` re-applies the ledger before anything is served, and ``serve`` and
``worker`` re-apply it on start should the database hold anything it names.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from voxguard.vault.durable import fsync_dir

_FILE_MODE = 0o600


class LedgerError(Exception):
    """The ledger cannot be read or written: erasing (or serving) must not go on without it."""

    code = "erasure_ledger_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LedgerEntry:
    erasure_id: str
    kind: str  # recording | account
    account_id: str
    utterance_id: str | None
    at: str  # ISO time of the request


class ErasureLedger:
    """An append-only file of erasures; each line is written and fsynced before the erasure."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(self, entry: LedgerEntry) -> None:
        line = (json.dumps(asdict(entry), sort_keys=True) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _FILE_MODE)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # a new file's directory entry must survive a crash too
                fsync_dir(self.path.parent)
        except OSError as exc:
            raise LedgerError(
                f"cannot write the erasure ledger {self.path}: {exc.strerror or exc}"
            ) from None

    def entries(self) -> list[LedgerEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise LedgerError(
                f"cannot read the erasure ledger {self.path}: {exc.strerror or exc}"
            ) from None
        entries = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                entries.append(LedgerEntry(**json.loads(line)))
            except (ValueError, TypeError):
                if number == len(text.splitlines()) and not text.endswith("\n"):
                    continue  # a line torn by a crash while it was written: never acted on
                raise LedgerError(
                    f"erasure ledger {self.path} line {number} is not a ledger entry"
                ) from None
        return entries

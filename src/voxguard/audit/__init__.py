"""Append-only, hash-chained audit log: every access is an event."""

from voxguard.audit.chain import ChainBreak, record, verify_chain
from voxguard.audit.checkpoints import (
    Checkpoint,
    CheckpointLogInvalid,
    CheckpointSchedule,
    CheckpointSigner,
    latest_checkpoint,
    signer_from,
    write_checkpoint,
)

__all__ = [
    "ChainBreak",
    "Checkpoint",
    "CheckpointLogInvalid",
    "CheckpointSchedule",
    "CheckpointSigner",
    "latest_checkpoint",
    "record",
    "signer_from",
    "verify_chain",
    "write_checkpoint",
]

"""Append-only, hash-chained audit log: every access is an event."""

from voxguard.audit.chain import ChainBreak, record, verify_chain

__all__ = ["ChainBreak", "record", "verify_chain"]

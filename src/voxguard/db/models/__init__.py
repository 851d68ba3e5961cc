"""Every table, one module per domain. Importing this package registers them all."""

from voxguard.db.models.accounts import Account, AccountKey, ConsentRecord, Device
from voxguard.db.models.audit import AuditEvent, AuditHead
from voxguard.db.models.utterances import Blob, SamplingDecision, UsageCounter, Utterance
from voxguard.db.models.work import WorkItem

__all__ = [
    "Account",
    "AccountKey",
    "AuditEvent",
    "AuditHead",
    "Blob",
    "ConsentRecord",
    "Device",
    "SamplingDecision",
    "UsageCounter",
    "Utterance",
    "WorkItem",
]

"""Every table, one module per domain. Importing this package registers them all."""

from voxguard.db.models.accounts import Account, AccountKey, ConsentRecord, Device
from voxguard.db.models.audit import AuditEvent, AuditHead
from voxguard.db.models.feedback import AdaptedModel, Export, ExportClip, Report
from voxguard.db.models.people import User, WebSession
from voxguard.db.models.review import Annotation, ClipOutcome, Exposure, Flag, GoldClip
from voxguard.db.models.rights import Erasure, SelfServiceLink, ServiceToken, SpeakerSession
from voxguard.db.models.utterances import Blob, SamplingDecision, UsageCounter, Utterance
from voxguard.db.models.work import WorkItem

__all__ = [
    "Account",
    "AccountKey",
    "AdaptedModel",
    "Annotation",
    "AuditEvent",
    "AuditHead",
    "Blob",
    "ClipOutcome",
    "ConsentRecord",
    "Device",
    "Erasure",
    "Export",
    "ExportClip",
    "Exposure",
    "Flag",
    "GoldClip",
    "Report",
    "SamplingDecision",
    "SelfServiceLink",
    "ServiceToken",
    "SpeakerSession",
    "UsageCounter",
    "User",
    "Utterance",
    "WebSession",
    "WorkItem",
]

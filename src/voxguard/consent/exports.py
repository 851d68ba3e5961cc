"""Which dataset exports hold an account's recordings: the one place rights read export lineage.

Exports are made by the feedback part, which records a lineage row per clip it exports. The
access log lists those exports as accesses ("exported"), and an erasure receipt names them so
the operator knows what to recall.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.db.models import Export, ExportClip, Utterance


@dataclass(frozen=True)
class ExportHolding:
    export_id: str
    utterance_id: str
    at: datetime
    purpose: str  # e.g. "training_export"
    format: str


def exports_holding(
    session: Session, account_id: str, utterance_ids: Collection[str] | None = None
) -> list[ExportHolding]:
    """The exports that hold recordings of ``account_id`` (only ``utterance_ids`` when given),
    oldest first, one entry per exported recording."""
    query = (
        select(Export.id, ExportClip.utterance_id, Export.created_at, Export.purpose, Export.format)
        .join(ExportClip, ExportClip.export_id == Export.id)
        .join(Utterance, Utterance.id == ExportClip.utterance_id)
        .where(Utterance.account_id == account_id)
        .order_by(Export.created_at, Export.id, ExportClip.utterance_id)
    )
    if utterance_ids is not None:
        if not utterance_ids:
            return []
        query = query.where(ExportClip.utterance_id.in_(list(utterance_ids)))
    return [
        ExportHolding(export_id=e, utterance_id=u, at=at, purpose=purpose, format=fmt)
        for e, u, at, purpose, fmt in session.execute(query)
    ]

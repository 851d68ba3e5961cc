"""Which dataset exports hold an account's recordings: the one place rights read export lineage.

Exports are made by the feedback part, which records a lineage row per clip it exports. The
access log lists those exports as accesses ("exported"), and an erasure receipt names them so
the operator knows what to recall.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


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
    """The exports that hold recordings of ``account_id`` (only ``utterance_ids`` when given).

    No export lineage exists yet: the feedback part fills this from its lineage rows.
    """
    return []

"""The metadata an upload must carry; unknown or missing fields are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class MetadataRejected(ValueError):
    pass


class UtteranceMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    utterance_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    account_ref: str = Field(min_length=1, max_length=128)
    device_serial: str = Field(min_length=1, max_length=128)
    recorded_at: datetime
    locale: str = Field(min_length=2, max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    device_type: str = Field(min_length=1, max_length=64)
    asr_text: str = Field(max_length=4000)
    asr_confidence: float = Field(ge=0.0, le=1.0)
    intent: str = Field(max_length=128)
    wake_score: float | None = Field(default=None, ge=0.0, le=1.0)
    data_region: str | None = Field(default=None, min_length=2, max_length=16, pattern=r"^[a-z]+$")

    @field_validator("recorded_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("recorded_at needs a timezone, e.g. 2026-11-25T10:00:00Z")
        return value.astimezone(UTC)


def parse_metadata(raw: bytes) -> UtteranceMetadata:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataRejected(f"metadata is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MetadataRejected("metadata must be a JSON object")
    try:
        return UtteranceMetadata.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'metadata'}: {err['msg']}"
            for err in exc.errors()
        )
        raise MetadataRejected(f"metadata rejected: {problems}") from exc

"""The metadata an upload must carry; unknown or missing fields are refused.

Parsing is bounded before any work depends on the input: nesting depth is counted before
``json.loads`` could recurse, integer and float literals are length-checked before conversion,
``NaN`` / ``Infinity`` are refused, and every string is free of NUL, other control characters
and lone surrogates (PostgreSQL refuses NUL in text; a surrogate cannot be encoded as UTF-8).
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

MAX_JSON_DEPTH = 8
MAX_NUMBER_CHARS = 40
# A recording is from this century: anything else is a broken clock or a probe, and bounding it
# keeps time-zone arithmetic far from datetime's year 1 and year 9999 edges.
EARLIEST_RECORDING = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_RECORDING = datetime(2100, 1, 1, tzinfo=UTC)

# C0 controls but tab, newline and carriage return; DEL; UTF-16 surrogates.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class MetadataRejected(ValueError):
    pass


def _clean_text(value: str) -> str:
    bad = _FORBIDDEN_CHARS.search(value)
    if bad is not None:
        raise ValueError(f"contains the control or surrogate character U+{ord(bad.group()):04X}")
    return value


CleanStr = Annotated[str, AfterValidator(_clean_text)]


class UtteranceMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    utterance_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    account_ref: CleanStr = Field(min_length=1, max_length=128)
    device_serial: CleanStr = Field(min_length=1, max_length=128)
    recorded_at: datetime
    locale: str = Field(min_length=2, max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    device_type: CleanStr = Field(min_length=1, max_length=64)
    asr_text: CleanStr = Field(max_length=4000)
    asr_confidence: float = Field(ge=0.0, le=1.0)
    intent: CleanStr = Field(max_length=128)
    wake_score: float | None = Field(default=None, ge=0.0, le=1.0)
    data_region: str | None = Field(default=None, min_length=2, max_length=16, pattern=r"^[a-z]+$")

    @field_validator("recorded_at")
    @classmethod
    def _aware_and_bounded(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("recorded_at needs a timezone, e.g. 2026-11-25T10:00:00Z")
        # Compare the local wall time first: converting year 1 or 9999 to UTC can overflow.
        if not EARLIEST_RECORDING.year <= value.year < LATEST_RECORDING.year:
            raise ValueError(
                f"recorded_at must lie between {EARLIEST_RECORDING.date()} and "
                f"{LATEST_RECORDING.date()}"
            )
        return value.astimezone(UTC)


def _deeper_than(raw: bytes, limit: int) -> bool:
    """True when JSON ``raw`` nests arrays/objects more than ``limit`` deep (strings skipped)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # the common case, decided at C speed
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise MetadataRejected(f"a number in the metadata has over {MAX_NUMBER_CHARS} digits")
    return int(literal)


def _bounded_float(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise MetadataRejected(f"a number in the metadata is too large or long: {literal[:20]}…")
    return value


def _no_constant(name: str) -> Any:
    raise MetadataRejected(f"a number in the metadata is {name}, which JSON does not allow")


def parse_metadata(raw: bytes) -> UtteranceMetadata:
    if _deeper_than(raw, MAX_JSON_DEPTH):
        raise MetadataRejected(f"metadata is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(
            raw, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant
        )
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

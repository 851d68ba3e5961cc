"""Audio redaction: each PII word span (plus a margin) is replaced by a tone or by silence.

The replacement is written over the whole span, so nothing of the original signal survives
inside it; short fades at the edges avoid clicks without leaking speech.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BLEEP_HZ = 1000.0
BLEEP_LEVEL = 0.2  # about -14 dBFS: clearly a bleep, never louder than speech
FADE_S = 0.005


@dataclass(frozen=True)
class TimeSpan:
    start: float
    end: float
    type: str

    def to_dict(self) -> dict[str, float | str]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "type": self.type}


def merge_spans(spans: Sequence[TimeSpan], margin_s: float, duration_s: float) -> list[TimeSpan]:
    """Widen each span by the margin, clip to the clip, and merge overlaps (first type wins)."""
    widened = sorted(
        (
            TimeSpan(max(0.0, s.start - margin_s), min(duration_s, s.end + margin_s), s.type)
            for s in spans
        ),
        key=lambda s: s.start,
    )
    merged: list[TimeSpan] = []
    for span in widened:
        if span.end <= span.start:
            continue
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = TimeSpan(last.start, max(last.end, span.end), last.type)
        else:
            merged.append(span)
    return merged


def bleep(
    samples: np.ndarray, sample_rate: int, spans: Sequence[TimeSpan], *, mode: str = "tone"
) -> np.ndarray:
    """A copy of ``samples`` with every span replaced (``mode``: ``tone`` or ``silence``)."""
    if mode not in ("tone", "silence"):
        raise ValueError(f"redaction mode must be 'tone' or 'silence', not {mode!r}")
    out = np.array(samples, dtype=np.float32, copy=True)
    fade = max(1, int(FADE_S * sample_rate))
    for span in spans:
        a = max(0, int(np.floor(span.start * sample_rate)))
        b = min(len(out), int(np.ceil(span.end * sample_rate)))
        if b <= a:
            continue
        if mode == "silence":
            out[a:b] = 0.0
            continue
        t = np.arange(b - a, dtype=np.float32) / sample_rate
        tone = BLEEP_LEVEL * np.sin(2 * np.pi * BLEEP_HZ * t).astype(np.float32)
        ramp = min(fade, (b - a) // 2)
        if ramp:
            envelope = np.linspace(0.0, 1.0, ramp, dtype=np.float32)
            tone[:ramp] *= envelope
            tone[-ramp:] *= envelope[::-1]
        out[a:b] = tone
    return out

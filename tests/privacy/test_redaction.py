"""Audio redaction: spans are replaced entirely, at the right times, nothing else changes."""

from __future__ import annotations

import numpy as np
import pytest

from voxguard.privacy.redaction import TimeSpan, bleep, merge_spans

RATE = 16_000


def _noise(seconds: float) -> np.ndarray:
    return (np.random.default_rng(1).standard_normal(int(seconds * RATE)) * 0.1).astype(np.float32)


def test_merge_widens_clips_and_joins() -> None:
    spans = [
        TimeSpan(0.02, 0.3, "PERSON"),
        TimeSpan(0.35, 0.5, "PHONE_NUMBER"),
        TimeSpan(1.9, 2.5, "X"),
    ]
    merged = merge_spans(spans, margin_s=0.05, duration_s=2.0)
    assert [(round(s.start, 6), round(s.end, 6), s.type) for s in merged] == [
        (0.0, 0.55, "PERSON"),
        (1.85, 2.0, "X"),
    ]


@pytest.mark.parametrize("mode", ["tone", "silence"])
def test_bleep_replaces_only_the_span(mode: str) -> None:
    audio = _noise(2.0)
    out = bleep(audio, RATE, [TimeSpan(0.5, 1.0, "PHONE_NUMBER")], mode=mode)
    a, b = int(0.5 * RATE), int(1.0 * RATE)
    np.testing.assert_array_equal(out[:a], audio[:a])
    np.testing.assert_array_equal(out[b:], audio[b:])
    inside = out[a:b]
    if mode == "silence":
        assert not inside.any()
    else:
        # Nothing of the original survives: correlation with it is ~0.
        assert abs(np.corrcoef(inside, audio[a:b])[0, 1]) < 0.05
        spectrum = np.abs(np.fft.rfft(inside))
        peak_hz = np.argmax(spectrum) * RATE / len(inside)
        assert abs(peak_hz - 1000) < 5


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="tone"):
        bleep(_noise(0.1), RATE, [], mode="beep")

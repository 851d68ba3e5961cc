"""The one 16 kHz resampler."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.audio import tone
from voxguard.audio import TARGET_RATE, to_target_rate
from voxguard.audio.resample import is_cheap_to_resample


def dominant_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / TARGET_RATE)[np.argmax(spectrum)])


@pytest.mark.parametrize("rate", [8_000, 11_025, 22_050, 44_100, 48_000])
def test_keeps_duration_and_pitch(rate: int) -> None:
    out = to_target_rate(tone(2.0, rate), rate)
    assert out.dtype == np.float32 and out.shape == (2 * TARGET_RATE,)
    assert dominant_hz(out) == pytest.approx(440, abs=2)


def test_target_rate_and_empty_input_pass_through() -> None:
    x = tone(0.1)
    assert to_target_rate(x, TARGET_RATE) is x
    assert to_target_rate(np.zeros(0, np.float32), 44_100).shape == (0,)


def test_odd_rates_are_not_cheap() -> None:
    assert is_cheap_to_resample(44_100) and is_cheap_to_resample(8_000)
    assert not is_cheap_to_resample(44_101)

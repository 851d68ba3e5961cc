"""Duration-preserving pitch shift in the time domain: WSOLA time stretch, then resampling.

WSOLA (waveform-similarity overlap-add, Verhelst & Roelands 1993) stretches time by copying
short stretches of the ORIGINAL waveform, each placed where it best continues the previous one
(maximal cross-correlation within a small tolerance). Nothing is resynthesised from magnitudes,
so bursts and fricatives keep their shape, unlike a phase vocoder, which smears them. Playing the
stretched signal back faster (polyphase resampling) then restores the duration and multiplies
every frequency, pitch and formants alike, by the ratio.

The search loop runs once per output frame (~12 ms); each step is one short correlation.
"""

import numpy as np

from voxguard.privacy.anonymize import pitch
from voxguard.privacy.anonymize.base import fit_length
from voxguard.privacy.anonymize.lpc import periodic_hann


def time_stretch(x: np.ndarray, factor: float, sample_rate: int) -> np.ndarray:
    """Output about len(x) * factor samples long, same pitch and spectrum."""
    if x.size == 0 or factor == 1.0:
        return x.copy()
    n = 2 * max(8, round(0.012 * sample_rate))  # 24 ms frames, 50 % overlap
    hop = n // 2
    tol = max(2, round(0.004 * sample_rate))  # search +-4 ms: about half a low voice's period
    window = periodic_hann(n)
    want = round(x.size * factor)
    n_out = want // hop + 2
    pad = n + tol
    xp = np.concatenate([np.zeros(pad), x, np.zeros(pad + n + hop)])
    out = np.zeros(n_out * hop + n)
    prev = pad  # where the previous output frame was read from in xp
    for k in range(n_out):
        nominal = pad + round(k * hop / factor)
        if k == 0:
            pos = nominal
        else:
            # The natural continuation of the previous frame, matched against the candidates.
            template = xp[prev + hop : prev + hop + n]
            lo = max(0, nominal - tol)
            region = xp[lo : nominal + tol + n]
            score = np.correlate(region, template, mode="valid")
            pos = lo + int(np.argmax(score)) if score.size else nominal
        out[k * hop : k * hop + n] += xp[pos : pos + n] * window
        prev = pos
    return fit_length(out, want)


def pitch_shift(x: np.ndarray, sample_rate: int, ratio: float) -> np.ndarray:
    """Multiplies every frequency by ~ratio, keeping the length: pitch.pitch_shift with WSOLA's
    stretch instead of the phase vocoder's."""
    return pitch.pitch_shift(x, sample_rate, ratio, stretch=time_stretch)

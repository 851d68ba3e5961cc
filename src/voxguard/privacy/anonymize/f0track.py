"""F0 and voicing of speech, per sample, for pitch-synchronous processing (tdpsola's marks).

Per 10 ms frame, the autocorrelation of a Hann-windowed stretch three periods of the lowest
pitch long (50 ms), divided by the window's own autocorrelation (Boersma 1993, the method of
Praat's "To Pitch (ac)"). Its peaks between 60 and 500 Hz are the candidates; each loses a
little per octave down (``_OCTAVE_COST``), so a multiple of the period, which correlates about
as well, does not win. A frame is voiced where the winner correlates at least
``_VOICING_THRESHOLD`` and the frame is no more than ``_SILENCE_DB`` under the loudest one.
A median over five frames inside each voiced run then removes lone octave jumps.

Measured against Praat's own pitch track (24 speechocean762 clips of 8 female and 8 male
speakers, Praat's 10 ms frames): the voicing decisions agree on 97 % (female) and 96 % (male)
of frames, and where both call a frame voiced F0 differs by more than 7 % on 3 % of them.
``source.f0_and_voicing`` (a 32 ms window and no silence gate, made for a spectral envelope,
not for marks) agreed on 85 % and 77 %, and put F0 off on 36 % and 29 %, mostly an octave or
more low.
"""

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
import scipy.signal as ssig
from numpy.lib.stride_tricks import sliding_window_view

F0_RANGE_HZ = (60.0, 500.0)
_WINDOW_PERIODS = 3.0
_HOP_S = 0.01
_VOICING_THRESHOLD = 0.45
_SILENCE_DB = -30.0
_OCTAVE_COST = 0.05
_MIN_VOICED_FRAMES = 3
_SMOOTH_FRAMES = 5


@dataclass(frozen=True)
class PitchTrack:
    """Per sample: F0 in Hz (carried through unvoiced stretches) and voicing."""

    f0: np.ndarray
    voiced: np.ndarray


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def voiced_runs(track: PitchTrack) -> list[tuple[int, int]]:
    """[start, end) sample ranges of the voiced stretches."""
    return _runs(track.voiced)


def _frame_f0(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, int]:
    """F0 (Hz) and voicing per frame, and the hop; frame k is centred on sample k * hop."""
    size = round(_WINDOW_PERIODS * sample_rate / F0_RANGE_HZ[0])
    hop = max(1, round(_HOP_S * sample_rate))
    padded = np.pad(x, (size // 2, size // 2 + hop))
    window = np.hanning(size)
    frames = sliding_window_view(padded, size)[::hop] * window
    n_fft = sfft.next_fast_len(2 * size, real=True)
    r = sfft.irfft(np.abs(sfft.rfft(frames, n=n_fft, axis=-1)) ** 2, n=n_fft, axis=-1)
    w_ac = sfft.irfft(np.abs(sfft.rfft(window, n=n_fft)) ** 2, n=n_fft)
    lo = max(1, int(sample_rate / F0_RANGE_HZ[1]))
    hi = min(int(sample_rate / F0_RANGE_HZ[0]) + 1, size // 2)
    lags = np.arange(lo, hi + 1)
    energy = r[:, 0]
    norm = r[:, lo : hi + 1] / np.maximum(energy, 1e-20)[:, None] / (w_ac[lags] / w_ac[0])
    peak = np.zeros_like(norm, dtype=bool)
    peak[:, 1:-1] = (norm[:, 1:-1] > norm[:, :-2]) & (norm[:, 1:-1] >= norm[:, 2:])
    strength = np.where(peak, norm - _OCTAVE_COST * np.log2(lags / lo), -np.inf)
    best = np.argmax(strength, axis=1)
    rows = np.arange(norm.shape[0])
    has_peak = peak.any(axis=1)
    loud = 10.0 * np.log10(np.maximum(energy, 1e-20) / max(float(energy.max()), 1e-20))
    voiced = has_peak & (norm[rows, best] >= _VOICING_THRESHOLD) & (loud > _SILENCE_DB)
    return sample_rate / lags[best], voiced, hop


def pitch_track(x: np.ndarray, sample_rate: int) -> PitchTrack:
    f0, voiced, hop = _frame_f0(x, sample_rate)
    if voiced.size >= 3:  # a lone voiced or unvoiced frame takes its neighbours' side
        voiced = ssig.medfilt(voiced.astype(np.float64), 3) > 0.5
    log_f0 = np.log(f0)
    for start, end in _runs(voiced):
        if end - start < _MIN_VOICED_FRAMES:
            voiced[start:end] = False
        else:  # smoothed inside each voiced run only
            kernel = min(_SMOOTH_FRAMES, (end - start) // 2 * 2 - 1)
            log_f0[start:end] = ssig.medfilt(log_f0[start:end], kernel)
    if voiced.any():  # carried through the unvoiced frames
        idx = np.flatnonzero(voiced)
        log_f0 = np.interp(np.arange(f0.size), idx, log_f0[idx])
    centres = hop * np.arange(f0.size)
    samples = np.arange(x.size)
    nearest = np.clip(np.rint(samples / hop), 0, f0.size - 1).astype(np.int64)
    return PitchTrack(np.exp(np.interp(samples, centres, log_f0)), voiced[nearest])

"""Channel normalisation in front of an attacker's speaker encoder (bench/privacy_eval.py).

Each utterance's average log spectrum is divided out and a generic one (the mean over a set of
original recordings) put back, as cepstral mean subtraction does. A method whose privacy is a
fixed random equaliser per utterance loses it here; one that really moves the voice does not.
With ``window_seconds`` the average is taken over a sliding window centred on every frame instead
of the whole utterance, so an equaliser that drifts more slowly than the window is undone too.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import istft, stft


class ChannelNormaliser:
    NPERSEG = 512

    def __init__(
        self,
        originals: Iterable[np.ndarray],
        rate: int = 16_000,
        window_seconds: float | None = None,
    ) -> None:
        self.rate = rate
        self.window_frames = (
            None
            if window_seconds is None
            else max(1, round(window_seconds * rate / (self.NPERSEG // 2)))
        )
        self.reference = np.mean(
            [np.log(np.abs(self._stft(x)) + 1e-8).mean(axis=1) for x in originals], axis=0
        )

    def _stft(self, audio: np.ndarray) -> np.ndarray:
        return stft(audio, self.rate, nperseg=self.NPERSEG)[2]

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        spectrum = self._stft(audio)
        log_mag = np.log(np.abs(spectrum) + 1e-8)
        if self.window_frames is None:
            mean = log_mag.mean(axis=1, keepdims=True)
        else:
            mean = uniform_filter1d(log_mag, self.window_frames, axis=1, mode="nearest")
        _, out = istft(
            spectrum * np.exp(self.reference[:, None] - mean), self.rate, nperseg=self.NPERSEG
        )
        return out[: audio.size].astype(np.float32)

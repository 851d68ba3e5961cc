"""Channel normalisation in front of an attacker's speaker encoder (bench/privacy_eval.py).

Each utterance's average log spectrum is divided out and a generic one (the mean over a set of
original recordings) put back, as cepstral mean subtraction does. A method whose privacy is a
fixed random equaliser per utterance loses it here; one that really moves the voice does not.
With ``window_seconds`` the average is taken over a sliding window centred on every frame instead
of the whole utterance, so an equaliser that drifts more slowly than the window is undone too.
With ``voiced_only`` the average (and the generic reference) is taken over voiced frames only,
as a VAD in front of cepstral mean subtraction would: an equaliser laid on voiced frames only
(envwarp's voiced tilt, privacy/anonymize/source.py) is then no longer diluted by the silence
and consonants around it. Dividing the voiced average out of EVERY frame, though, lays the
inverse of a voiced-only equaliser on the unvoiced frames; ``by_voicing`` instead normalises
voiced and unvoiced frames each by their own class's average and reference.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import istft, stft

from voxguard.privacy.anonymize.source import f0_and_voicing

# A frame is voiced when its autocorrelation voicing (source.f0_and_voicing, 0..1) reaches this
# and its energy is within VOICED_FLOOR_DB of the utterance's loudest frame (so a periodic hum
# in the pauses does not count).
VOICED_AT = 0.5
VOICED_FLOOR_DB = 40.0
# Fewer voiced frames than this and the whole utterance is averaged instead.
MIN_VOICED_FRAMES = 5


def voiced_frames(spectrum: np.ndarray, rate: int) -> np.ndarray:
    """Boolean mask over the frames of an STFT (bins x frames) that are voiced speech."""
    power = (spectrum.real**2 + spectrum.imag**2).T
    _, voicing = f0_and_voicing(power, rate)
    energy_db = 10 * np.log10(power.sum(axis=1) + 1e-20)
    return (voicing >= VOICED_AT) & (energy_db >= energy_db.max() - VOICED_FLOOR_DB)


class ChannelNormaliser:
    NPERSEG = 512

    def __init__(
        self,
        originals: Iterable[np.ndarray],
        rate: int = 16_000,
        window_seconds: float | None = None,
        voiced_only: bool = False,
        by_voicing: bool = False,
    ) -> None:
        if (voiced_only or by_voicing) and window_seconds is not None:
            raise ValueError("voiced_only / by_voicing average the whole utterance; no window")
        if voiced_only and by_voicing:
            raise ValueError("voiced_only and by_voicing are two different normalisers")
        self.rate = rate
        self.voiced_only = voiced_only
        self.by_voicing = by_voicing
        self.window_frames = (
            None
            if window_seconds is None
            else max(1, round(window_seconds * rate / (self.NPERSEG // 2)))
        )
        # The generic spectrum: the same average (voiced frames or all) over the originals.
        originals = list(originals)
        self.reference = np.mean([self._average(self._stft(x)) for x in originals], axis=0)
        if by_voicing:  # one reference per class: voiced frames, then unvoiced ones
            self.class_reference = np.mean(
                [self._class_averages(self._stft(x))[0] for x in originals], axis=0
            )

    def _stft(self, audio: np.ndarray) -> np.ndarray:
        return stft(audio, self.rate, nperseg=self.NPERSEG)[2]

    def _average(self, spectrum: np.ndarray) -> np.ndarray:
        """The utterance's average log magnitude per bin, over its voiced frames if asked."""
        log_mag = np.log(np.abs(spectrum) + 1e-8)
        if self.voiced_only:
            voiced = voiced_frames(spectrum, self.rate)
            if voiced.sum() >= MIN_VOICED_FRAMES:
                return log_mag[:, voiced].mean(axis=1)
        return log_mag.mean(axis=1)

    def _class_averages(self, spectrum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Average log magnitude of the voiced and of the unvoiced frames (2 x bins; a class
        with too few frames gets the whole utterance's), and the voiced-frame mask."""
        log_mag = np.log(np.abs(spectrum) + 1e-8)
        voiced = voiced_frames(spectrum, self.rate)
        every = log_mag.mean(axis=1)
        means = [
            log_mag[:, m].mean(axis=1) if m.sum() >= MIN_VOICED_FRAMES else every
            for m in (voiced, ~voiced)
        ]
        return np.stack(means), voiced

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        spectrum = self._stft(audio)
        if self.by_voicing:
            means, voiced = self._class_averages(spectrum)
            # Frame by frame: its own class's reference over its own class's average.
            cls = np.where(voiced, 0, 1)
            gain = (self.class_reference - means)[cls].T
            _, out = istft(spectrum * np.exp(gain), self.rate, nperseg=self.NPERSEG)
            return out[: audio.size].astype(np.float32)
        if self.window_frames is None:
            mean = self._average(spectrum)[:, None]
        else:
            log_mag = np.log(np.abs(spectrum) + 1e-8)
            mean = uniform_filter1d(log_mag, self.window_frames, axis=1, mode="nearest")
        _, out = istft(
            spectrum * np.exp(self.reference[:, None] - mean), self.rate, nperseg=self.NPERSEG
        )
        return out[: audio.size].astype(np.float32)

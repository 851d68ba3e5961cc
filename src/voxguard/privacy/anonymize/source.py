"""Voice-source changes in the STFT domain: breathiness, low-harmonic (H1) level, harmonic
comb and voiced-only tilt, for envwarp (reshape_envelope's ``source`` hook).

envwarp changes the vocal tract (the smooth envelope). This changes the voice SOURCE, the fine
structure under the envelope, in ways a fixed channel filter cannot express because each depends
on the frame's own F0 or voicing:

* breathiness: in voiced frames, above a cutoff of ~1-2 kHz, a fraction of the energy is
  replaced by noise shaped by the frame's own LPC envelope (a lower harmonics-to-noise ratio);
* H1 level: the first harmonic raised or lowered (H1-H2, the classic glottal open-quotient cue);
* harmonic comb: odd harmonics against even ones (cos(pi f / F0)), which moves with F0;
* voiced tilt and ripple: a spectral tilt (a steeper or flatter glottal roll-off) and a random
  log-frequency ripple laid on voiced frames only (weighted by voicing), which an utterance-wide
  channel average only partly captures: it averages voiced and unvoiced frames alike.

F0 and voicing come from each frame's autocorrelation (the inverse FFT of the power spectrum
reshape_envelope already has), corrected for the Hann window's own autocorrelation.

Measured (bench/privacy_eval.py, speechocean762 TUNING half, ``--quick --so-speakers 25``: 50
speakers, 100 clips for ASR, Whisper's dither floor 17.1 %; EER lazy / ignorant / lazy
channel-normalised / lazy sliding-normalised, then ASR-agreement WER; README, "Changing the
voice source"):

* breathiness buys nothing: 0.6-0.9 of the energy above 0.8-2 kHz replaced by noise left every
  EER at the original's (3 %) and cost ~5 WER points (12-speaker run). Resemblyzer hears
  through a lower harmonics-to-noise ratio; Whisper does not quite. H1 +-12 dB: nothing either
  way. The harmonic comb +-10 dB: ~5 EER points for ~4 WER points;
* the voiced-only tilt is the one cheap change: +-9 dB/octave gave 16.5 / 10.6 / 11.0 / 12.7 %
  at 17.7 % WER, i.e. at Whisper's floor. It is still an equaliser, though: stronger (6-12
  dB/octave) or with a voiced ripple it costs words like everything else (voiced ripple 8-12 dB
  + tilt + comb: 36.5 / 29.0 / 25.5 / 26.0 % at 43.2 %), and the channel normalisers take
  about a third of it back;
* on top of envwarp's "strong warp + pitch" the voiced tilt and comb lift all four attackers
  over 30 % (35.3 / 33.0 / 34.5 / 35.5 % at 55.2 %; without them 30.2 / 24.0 / 30.0 / 31.0 % at
  50.1 %; pitchwarp-mcadams 36.5 / 32.0 / 28.0 / 27.3 % at 54.1 %): privacy against every
  attacker at the default's word cost, the same trade as "envwarp stronger", not a better one.
  Measured once on the HELD-OUT half (full size): 38.2 / 31.5 / 34.3 / 34.6 % at 55.5 %, against
  "envwarp stronger" 39.3 / 35.2 / 34.0 / 35.7 % at 56.4 % and pitchwarp-mcadams 37.3 / 32.3 /
  29.8 / 31.9 % at 44.7 % (Whisper's floor 13.6 %).

Net: the source buys privacy at about the rate the envelope does once it is strong enough to
matter; nothing here comes near the 15 % WER goal. The voiced gating against an attacker that
normalises over voiced frames only (bench/channel_norm.py ``voiced_only`` / ``by_voicing``;
README, "An attacker that normalises over voiced frames only"): normalising voiced and unvoiced
frames each by their own average takes the voiced EQ (tilt + ripple) from 25.5 % to 19.5 %
(tuning half), but the "strong warp + pitch + voiced tilt + comb" setting loses only 1-1.5
points on the held-out half (33.0-33.5 % against 34.3 % channel-normalised): its privacy rests
on the warp and pitch.
"""

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from voxguard.privacy.anonymize.lpc import periodic_hann
from voxguard.privacy.anonymize.pitch import analyse
from voxguard.privacy.anonymize.pitchwarp import equaliser_db

F0_RANGE_HZ = (60.0, 400.0)
# Normalised autocorrelation peak mapped onto voicing 0..1.
_VOICING_FROM, _VOICING_TO = 0.35, 0.75
# The harmonic comb and H1 change act below this (Hz), fading out over the next half octave.
_HARMONIC_TOP_HZ = 4000.0


@dataclass(frozen=True)
class SourceParams:
    """One utterance's source change; all zero is no change."""

    breath: float = 0.0  # share of the energy above the cutoff replaced by noise (0..1)
    breath_cutoff_hz: float = 1500.0
    h1_db: float = 0.0
    comb_db: float = 0.0
    voiced_tilt_db_per_octave: float = 0.0
    # A random log-frequency ripple (pitchwarp.equaliser_db's) laid on voiced frames only.
    voiced_ripple_db: float = 0.0
    voiced_ripple: tuple[tuple[float, float], ...] = ()

    @property
    def active(self) -> bool:
        return bool(
            self.breath
            or self.h1_db
            or self.comb_db
            or self.voiced_tilt_db_per_octave
            or (self.voiced_ripple_db and self.voiced_ripple)
        )


def f0_and_voicing(power: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame of a Hann-windowed STFT's power spectrum: F0 (Hz) and voicing (0..1)."""
    n_fft = 2 * (power.shape[1] - 1)
    r = sfft.irfft(power, n=n_fft, axis=-1)
    window = periodic_hann(n_fft)
    w_ac = np.correlate(window, window, "full")[n_fft - 1 :]
    lo = max(1, int(sample_rate / F0_RANGE_HZ[1]))
    hi = min(int(sample_rate / F0_RANGE_HZ[0]), n_fft // 2)
    energy = np.maximum(r[:, :1], 1e-20)
    norm = r[:, lo : hi + 1] / energy / (w_ac[lo : hi + 1] / w_ac[0])
    best = norm.max(axis=1, keepdims=True)
    # The shortest lag scoring near the best: a multiple of the period can score as high.
    lag = lo + np.argmax(norm >= 0.9 * best, axis=1)
    voicing = np.clip((best[:, 0] - _VOICING_FROM) / (_VOICING_TO - _VOICING_FROM), 0.0, 1.0)
    voicing[energy[:, 0] <= 1e-10] = 0.0
    return sample_rate / lag, voicing


def median_f0(x: np.ndarray, sample_rate: int) -> float | None:
    """The median F0 (Hz) of an utterance's clearly voiced frames, or None for none."""
    f0, voicing = f0_and_voicing(np.abs(analyse(x, sample_rate).spec) ** 2, sample_rate)
    voiced = f0[voicing >= 0.5]
    return float(np.median(voiced)) if voiced.size else None


def _rise(freqs: np.ndarray, at_hz: float) -> np.ndarray:
    """0 below at_hz / sqrt(2), 1 above at_hz * sqrt(2), a raised cosine in log frequency."""
    u = np.clip((np.log2(np.maximum(freqs, 1.0) / at_hz) + 0.5), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def change_source(
    spec: np.ndarray,
    envelope: np.ndarray,
    power: np.ndarray,
    sample_rate: int,
    params: SourceParams,
    rng: np.random.Generator,
) -> np.ndarray:
    """The STFT ``spec`` with its source changed; ``envelope`` is each frame's natural-log LPC
    envelope (reshape_envelope's), ``power`` its power spectrum."""
    if not params.active:
        return spec
    n_frames, n_bins = spec.shape
    freqs = np.fft.rfftfreq(2 * (n_bins - 1), 1.0 / sample_rate)
    f0, voicing = f0_and_voicing(power, sample_rate)
    v = voicing[:, None]
    gain_db = np.zeros((n_frames, n_bins))
    if params.h1_db or params.comb_db:
        h = freqs[None, :] / f0[:, None]
        below = 1.0 - _rise(freqs, _HARMONIC_TOP_HZ * 2**0.5)[None, :]
        if params.h1_db:
            gain_db += params.h1_db * np.exp(-0.5 * ((h - 1.0) / 0.3) ** 2)
        if params.comb_db:
            gain_db += params.comb_db * np.cos(np.pi * h) * below
    if params.voiced_tilt_db_per_octave or params.voiced_ripple_db:
        gain_db += equaliser_db(
            params.voiced_tilt_db_per_octave,
            params.voiced_ripple,
            params.voiced_ripple_db,
            freqs,
            sample_rate,
        )
    out = spec * 10.0 ** (v * gain_db / 20.0)
    if params.breath:
        share = params.breath * v * _rise(freqs, params.breath_cutoff_hz)[None, :]
        env = np.exp(envelope)
        # Noise with the frame's envelope and the fine structure's average level, so replacing
        # a share of the power keeps the frame's power.
        out_power = out.real**2 + out.imag**2
        level = np.sqrt(np.mean(out_power / np.maximum(env**2, 1e-30), axis=1, keepdims=True))
        noise = rng.standard_normal((n_frames, n_bins)) + 1j * rng.standard_normal(
            (n_frames, n_bins)
        )
        out = np.sqrt(1.0 - share) * out + np.sqrt(share / 2.0) * env * level * noise
    return out

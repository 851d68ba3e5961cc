"""PSOLA anonymizer (exploration): Praat's "Change gender" with random targets per utterance.

Praat (through the ``praat-parselmouth`` package of the ``eval`` extra, imported only when the
method runs) shifts every formant by a ratio by playing the sound at a changed sampling rate,
then restores the duration and sets a new pitch contour with time-domain PSOLA (the steps of
Praat's "Change gender", done on a Manipulation): pitch periods are cut at the glottal pulses
and overlap-added at the new spacing. Unlike the phase vocoder of ``pitchwarp-mcadams`` it does
not smear bursts and fricatives across analysis frames, which is why it was tried for issue 12
(fewer words lost per point of EER).

Per utterance, from the seeded generator (``tdpsola.PsolaDraw``, which tdpsola shares): a
pitch-median shift in semitones (random sign,
magnitude from ``semitone_range``), a formant-shift ratio (random direction, magnitude drawn
log-uniform from ``formant_ratio_range``), a pitch-range (excursion) factor, and an optional
spectral tilt. Pitch and formant directions are independent, as in ``pitchwarp-mcadams``:
pointing them one way per speaker helped the normalising attacker (README, "Pointing the voice
change toward the middle").

Tuning half of speechocean762, ``--quick --so-speakers 25`` (one run each; 95 % intervals about
±5-7 EER points, WER ±5): the pitch shift by PSOLA alone costs 23 % WER against Whisper's 17 %
floor. Without a tilt, psola's EER against the plain attackers (lazy 14-27 %, ignorant 10-28 %)
stays under its EER against the channel-normalising ones; with a random tilt of ±9 dB/octave,
"psola strongest + tilt 9" (5-10 st, formants x1.18-1.4 either way) reached lazy 38.5 %,
channel- / sliding- / voiced-normalised 33.2 / 35.8 / 34.3 %, ignorant 32.7 % at 43.9 % WER,
where the default ``pitchwarp-mcadams`` in the same run had 36.5 / 28.0 / 27.3 / 28.5 / 32.0 %
at 53.7 %; CPU RTF 0.017 for both (held-out half: README, "Pitch by PSOLA").

Registered as an exploration method only (``registry.EXPLORATION_METHODS``), not a service
method: the service does not depend on Praat (GPLv3); ``tdpsola`` does the same steps on our
own pitch marks. bench/privacy_eval.py measures it ("psola" rows
of EXPLORED_POINTS)."""

import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    finalise_output,
    fit_length,
    make_rng,
    validate_input,
)
from voxguard.privacy.anonymize.tdpsola import (
    MAX_F0_HZ,
    MIN_F0_HZ,
    PsolaDraw,
    PsolaParams,
    tilt_spectrum,
)

# Praat's pitch analysis needs at least three periods of the lowest pitch in the window, plus a
# margin; shorter input is zero-padded to this before the analysis and trimmed after.
_MIN_PRAAT_SECONDS = 0.1
_PITCH_TIME_STEP = 0.01
# Praat's random generator is process-wide and PSOLA draws from it: one Praat call at a time,
# so a seed gives the same output whatever else runs (the web server renders in threads).
_PRAAT_LOCK = threading.Lock()
_INSTALL_HINT = (
    "the psola anonymizer needs praat-parselmouth (the eval extra: pip install 'voxguard[eval]')"
)


def _parselmouth() -> Any:
    """The parselmouth module, imported on first use so the core package does not need it."""
    try:
        import parselmouth
    except ImportError as exc:
        raise AnonymizationError(f"{_INSTALL_HINT} ({exc})") from exc
    return parselmouth


@dataclass(frozen=True)
class PsolaAnonymizer(PsolaDraw):
    """Random formant shift (resampling) + random pitch median and range (TD-PSOLA), via Praat."""

    name: str = "psola"
    # Praat's pitch analysis range (adult speech); the pulses PSOLA cuts at come from it.
    min_pitch_hz: float = 60.0
    max_pitch_hz: float = 500.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 30.0 <= self.min_pitch_hz < self.max_pitch_hz <= 1000.0:
            raise AnonymizationError(
                "need 30 <= min_pitch_hz < max_pitch_hz <= 1000, got "
                f"{self.min_pitch_hz}, {self.max_pitch_hz}"
            )

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        rng = make_rng(seed)
        params = self._draw(rng)
        # Praat's PSOLA draws from Praat's own global generator: seeded from ours, so the same
        # seed gives the same output (unseeded, two runs differed by up to 0.7 full scale).
        praat_seed = int(rng.integers(1, 2**31 - 1))
        pm = _parselmouth()
        if x.size == 0 or not np.any(x):
            return finalise_output(np.zeros_like(x), x)
        sr = int(sample_rate)
        n = x.size
        padded = np.pad(x, (0, max(0, math.ceil(_MIN_PRAAT_SECONDS * sr) - n)))
        with _PRAAT_LOCK:
            y = self._change(pm, padded, sr, params, praat_seed)
        # Praat's resampling and PSOLA leave the length off by a few samples: same length out.
        y = fit_length(y, n)
        if params.tilt_db_per_octave:
            y = tilt_spectrum(y, sr, params.tilt_db_per_octave)
        return finalise_output(y, x)

    def _change(
        self, pm: Any, x: np.ndarray, sr: int, params: PsolaParams, praat_seed: int
    ) -> np.ndarray:
        """Praat's "Change gender" done step by step on a Manipulation.

        Praat's own command (Sound & Pitch: Change gender) never returned on some real
        utterances (a formant ratio other than 1 with a pitch-range factor near 1.5, or an
        octave below with it, on a speechocean762 clip whose pitch track dips to 68 Hz); the same
        steps through a Manipulation, which resynthesises with the same PSOLA, did not hang.
        """
        call = pm.praat.call
        ratio = params.formant_ratio
        sound = pm.Sound(x, sampling_frequency=float(sr))
        # Praat's generator is process-wide (hence _PRAAT_LOCK); it is put back to
        # unpredictable for any other Praat user.
        pm.praat.run(f"random_initializeWithSeedUnsafelyButPredictably ({praat_seed})")
        with warnings.catch_warnings():
            # "no voiced segments found": then only the formants move, which is wanted.
            warnings.simplefilter("ignore", pm.PraatWarning)
            try:
                pitch = sound.to_pitch_ac(
                    time_step=_PITCH_TIME_STEP,
                    pitch_floor=self.min_pitch_hz,
                    pitch_ceiling=self.max_pitch_hz,
                )
                median = call(pitch, "Get quantile", 0.0, 0.0, 0.5, "Hertz")
                # Played at ratio x the rate, every frequency (formants and pitch) moves by the
                # ratio and the sound gets shorter; PSOLA then sets the pitch and the length.
                fast = sound.copy()
                call(fast, "Override sampling frequency", sr * ratio)
                manipulation = call(
                    fast,
                    "To Manipulation",
                    _PITCH_TIME_STEP / ratio,
                    self.min_pitch_hz * ratio,
                    self.max_pitch_hz * ratio,
                )
                if np.isfinite(median):  # NaN: nothing voiced, no pitch to set
                    target = median * 2 ** (params.semitones / 12)
                    # On the semitone scale around the new median, as Praat's Change gender;
                    # "/ ratio" takes out the shift the faster playback gave the pitch.
                    new = (
                        f"{target!r} * 2 ^ ({params.pitch_range_factor!r} * "
                        f"log2 (self / {ratio!r} / {median!r}))"
                    )
                    tier = call(manipulation, "Extract pitch tier")
                    call(tier, "Formula", f"min ({MAX_F0_HZ}, max ({MIN_F0_HZ}, {new}))")
                    call([manipulation, tier], "Replace pitch tier")
                duration = call("Create DurationTier", "duration", fast.xmin, fast.xmax)
                call(duration, "Add point", (fast.xmin + fast.xmax) / 2, ratio)
                call([manipulation, duration], "Replace duration tier")
                out = call(manipulation, "Get resynthesis (overlap-add)")
                out = call(out, "Resample", float(sr), 10)
            except pm.PraatError as exc:
                raise AnonymizationError(f"Praat could not change this audio: {exc}") from exc
            finally:
                pm.praat.run("random_initializeSafelyAndUnpredictably ()")
        return np.asarray(out.values[0], dtype=np.float64)

"""Time-domain PSOLA on our own pitch marks: a new pitch median and range, formants moved by
resampling (the steps of Praat's "Change gender", written here under the project's licence).

Three steps, each small:

1. ``pitch_track``: F0 and voicing per 8 ms frame from each frame's autocorrelation
   (``source.f0_and_voicing``), median-smoothed so one octave error or one stray voiced frame
   does not move a mark.
2. ``pitch_marks``: in each voiced run, one mark per glottal period. The first sits on the run's
   largest peak; each next one is where the period just passed correlates best with the signal
   one period (0.75-1.25 of it) later, then nudged to the peak of the same sign within a tenth of
   a period. Cross-correlation keeps every mark at the same phase of its period, which is what
   PSOLA needs; picking each period's peak alone jumps between two formant peaks.
3. ``psola``: two-period Hann-windowed grains cut at the marks are overlap-added at the new
   spacing (the new pitch) along a time axis stretched by ``stretch``. Unvoiced stretches are
   cut at exactly the mapped time with half-overlapping windows, so noise is neither repeated
   nor made periodic.

The anonymizer runs PSOLA with the pitch divided by the formant ratio r and the length
multiplied by r, then plays the result r times faster (polyphase resampling): every frequency
moves by r, the length comes back, and the pitch lands on the drawn target. It needs numpy and
scipy only, unlike ``psola`` (Praat, GPLv3, an exploration method of the eval extra).

Measured (bench/privacy_eval.py; EER against the lazy-informed / channel- / sliding- / voiced-
normalised / ignorant attackers, then ASR-agreement WER). Tuning half, ``--quick --so-speakers
25``: 38.0 / 29.6 / 30.5 / 31.0 / 34.0 % at 43.0 %, where pitchwarp-mcadams had 36.5 / 28.0 /
27.3 / 28.5 / 32.0 % at 52.4 % and Praat's psola at the same settings 38.5 / 33.1 / 36.0 / 34.3 /
32.7 % at 43.2 %; with the first pitch tracker (``source.f0_and_voicing``) tdpsola lost 3-5 EER
points to Praat and 3 WER points. Held-out half, full size, once: 38.7 / 35.9 / 36.8 / 37.8 /
36.0 % at 37.9 % WER (pitchwarp-mcadams 37.3 / 29.8 / 31.9 / 32.1 / 32.3 % at 44.9 %), CPU RTF
0.010 against 0.019.
"""

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from voxguard.privacy.anonymize.base import finalise_output, make_rng, validate_input
from voxguard.privacy.anonymize.f0track import F0_RANGE_HZ, PitchTrack, pitch_track, voiced_runs
from voxguard.privacy.anonymize.pitch import play_faster, ratio_fraction
from voxguard.privacy.anonymize.pitchwarp import check_range, equaliser_db

# Where the next mark is searched, as a share of the local period, and how far it is nudged.
_NEXT_MARK_RANGE = (0.75, 1.25)
_NUDGE = 0.1
_NEAR_BEST = 0.9
# Unvoiced grains: spacing (their windows are twice as long, so they sum to one).
_UNVOICED_HOP_S = 0.004
# The new pitch contour stays inside human voices (an octave error stretched by the range
# factor could ask for 20 Hz).
MIN_F0_HZ = 50.0
MAX_F0_HZ = 800.0


@dataclass(frozen=True)
class PsolaParams:
    """One utterance's draw."""

    semitones: float
    formant_ratio: float
    pitch_range_factor: float
    tilt_db_per_octave: float = 0.0


@dataclass(frozen=True)
class PsolaDraw:
    """The random targets of a "Change gender" voice change, drawn per utterance (tdpsola's and
    Praat's psola's)."""

    # Magnitudes; each direction (pitch up or down, formants up: r or down: 1 / r) is a coin
    # flip, so an utterance is never left near its own voice.
    semitone_range: tuple[float, float] = (3.0, 7.5)
    formant_ratio_range: tuple[float, float] = (1.08, 1.22)
    pitch_range_factor_range: tuple[float, float] = (0.6, 1.5)
    tilt_range: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        check_range(self.semitone_range, "semitone_range", 0.0, 12.0)
        check_range(self.formant_ratio_range, "formant_ratio_range", 1.0, 1.6)
        check_range(self.pitch_range_factor_range, "pitch_range_factor_range", 0.0, 3.0)
        check_range(self.tilt_range, "tilt_range", -12.0, 12.0)

    def params_for(self, seed: int, sample_rate: int | None = None) -> PsolaParams:
        """The draw for an utterance anonymized with ``seed`` (independent of the audio)."""
        del sample_rate  # same signature as pitchwarp's, which the calibration page calls
        return self._draw(make_rng(seed))

    def _draw(self, rng: np.random.Generator) -> PsolaParams:
        semitones = float(rng.uniform(*self.semitone_range)) * (1 if rng.random() < 0.5 else -1)
        lo, hi = np.log(self.formant_ratio_range)
        magnitude = float(np.exp(rng.uniform(lo, hi)))
        formant_ratio = magnitude if rng.random() < 0.5 else 1.0 / magnitude
        lo, hi = np.log(np.maximum(self.pitch_range_factor_range, 1e-3))
        pitch_range_factor = float(np.exp(rng.uniform(lo, hi)))
        tilt = float(rng.uniform(*self.tilt_range))
        return PsolaParams(semitones, formant_ratio, pitch_range_factor, tilt)


def tilt_spectrum(y: np.ndarray, sr: int, db_per_octave: float) -> np.ndarray:
    """Zero-phase spectral tilt around 1 kHz over the whole utterance (one FFT)."""
    n_fft = sfft.next_fast_len(y.size, real=True)  # a prime length would take seconds
    spec = sfft.rfft(y, n=n_fft)
    gain_db = equaliser_db(db_per_octave, (), 0.0, np.fft.rfftfreq(n_fft, 1.0 / sr), sr)
    return sfft.irfft(spec * 10.0 ** (gain_db / 20.0), n=n_fft)[: y.size]


@dataclass(frozen=True)
class PitchMarks:
    """One mark per glottal period (sample positions, sorted) and each one's period in samples:
    the mean of its intervals to the marks beside it in its voiced run."""

    at: np.ndarray
    periods: np.ndarray

    def median_f0(self, sample_rate: int) -> float | None:
        return float(np.median(sample_rate / self.periods)) if self.at.size else None


def _periods(run: list[int], fallback: float) -> list[float]:
    if len(run) < 2:
        return [fallback] * len(run)
    gaps = np.diff(run).astype(np.float64)
    left = np.concatenate(([gaps[0]], gaps))
    right = np.concatenate((gaps, [gaps[-1]]))
    return ((left + right) / 2).tolist()


def pitch_marks(x: np.ndarray, sample_rate: int, track: PitchTrack) -> PitchMarks:
    """Marks in every voiced run of the track."""
    at: list[int] = []
    periods: list[float] = []
    shortest, longest = sample_rate / F0_RANGE_HZ[1], sample_rate / F0_RANGE_HZ[0]
    # Zeros around the signal, so a period's template fits at a run's edges too.
    pad = int(longest) + 1
    xp = np.pad(x, pad)
    for start, end in voiced_runs(track):
        period = sample_rate / float(track.f0[start])
        first_end = min(end, start + int(period) + 1)
        if first_end - start < 2:
            continue
        mark = start + int(np.argmax(np.abs(x[start:first_end])))
        sign = 1.0 if x[mark] >= 0 else -1.0
        marks = [mark]
        interval: float | None = None
        while True:
            # The last interval guards against a wrong frame of the track and the track against
            # a drifting interval; of near-equal correlations the shortest lag wins, so a
            # search window that reaches two periods still finds one.
            guesses = (period,) if interval is None else (period, interval)
            half = max(1, int(min(guesses) / 2))
            lo = mark + int(_NEXT_MARK_RANGE[0] * min(guesses))
            hi = mark + int(_NEXT_MARK_RANGE[1] * max(guesses)) + 1
            if hi > end:
                break
            template = xp[pad + mark - half : pad + mark + half]
            score = np.correlate(xp[pad + lo - half : pad + hi + half - 1], template)
            first = int(np.argmax(score >= _NEAR_BEST * score.max()))
            reach = max(1, int(_NUDGE * min(guesses)))
            best = lo + first + int(np.argmax(score[first : first + reach + 1]))
            near = xp[pad + best - reach : pad + best + reach + 1] * sign
            new_mark = best - reach + int(np.argmax(near))
            # an interval outside human voices is no period (the track's range bounds it)
            interval = min(max(new_mark - mark, shortest), longest)
            mark = min(max(new_mark, mark + 1), x.size - 1)
            marks.append(mark)
            period = sample_rate / float(track.f0[mark])
        at.extend(marks)
        run_periods = _periods(marks, sample_rate / float(track.f0[marks[0]]))
        periods.extend(min(max(p, shortest), longest) for p in run_periods)
    return PitchMarks(np.asarray(at, dtype=np.int64), np.asarray(periods))


@functools.lru_cache(maxsize=1024)  # one per period length in samples
def _hann(half: int) -> np.ndarray:
    """Symmetric Hann of 2 * half + 1 samples, zero just outside both ends (read only)."""
    return np.hanning(2 * half + 3)[1:-1]


def _add_grain(out: np.ndarray, x: np.ndarray, centre_in: int, centre_out: int, half: int) -> None:
    lo, hi = centre_in - half, centre_in + half + 1
    window = _hann(half)
    cut_lo, cut_hi = max(0, -lo), max(0, hi - x.size)
    grain = x[lo + cut_lo : hi - cut_hi] * window[cut_lo : window.size - cut_hi]
    o_lo = centre_out - half + cut_lo
    g_lo, g_hi = max(0, -o_lo), max(0, o_lo + grain.size - out.size)
    if grain.size - g_lo - g_hi > 0:
        out[o_lo + g_lo : o_lo + grain.size - g_hi] += grain[g_lo : grain.size - g_hi]


def psola(
    x: np.ndarray,
    sample_rate: int,
    marks: PitchMarks,
    new_f0: Callable[[float], float],
    stretch: float,
) -> np.ndarray:
    """x with each marked period re-spaced to ``new_f0`` of its F0 (Hz) and its length
    multiplied by ``stretch``."""
    n_out = round(x.size * stretch)
    out = np.zeros(n_out)
    unvoiced_hop = max(1, round(_UNVOICED_HOP_S * sample_rate))
    # Python lists: the loop reads one value at a time, where numpy scalars are slow.
    at, periods = marks.at.tolist(), marks.periods.tolist()
    last = x.size - 1
    t_out = 0.0
    while t_out < n_out:
        t_in = min(last, round(t_out / stretch))
        k = bisect.bisect_left(at, t_in)
        nearest = min(
            range(max(0, k - 1), min(len(at), k + 1)), key=lambda i: abs(at[i] - t_in), default=None
        )
        if nearest is None or abs(at[nearest] - t_in) > periods[nearest]:
            # Unvoiced (or past a run's last period): cut where the time axis maps to.
            _add_grain(out, x, t_in, round(t_out), unvoiced_hop)
            t_out += unvoiced_hop
            continue
        period = periods[nearest]
        _add_grain(out, x, at[nearest], round(t_out), max(1, round(period)))
        target = new_f0(sample_rate / period)
        t_out += sample_rate / min(MAX_F0_HZ, max(MIN_F0_HZ, target))
    return out


@dataclass(frozen=True)
class TdPsolaAnonymizer(PsolaDraw):
    """Random formant shift (resampling) + random pitch median and range (our own TD-PSOLA)."""

    name: str = "tdpsola"
    # psola's best point on the tuning half, chosen there (bench/privacy_eval.py; README, "PSOLA
    # on our own pitch marks"): held-out EER 35.9-38.7 % against all five attackers, 37.9 % WER.
    semitone_range: tuple[float, float] = (5.0, 10.0)
    formant_ratio_range: tuple[float, float] = (1.18, 1.4)
    tilt_range: tuple[float, float] = (-9.0, 9.0)

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        params = self._draw(make_rng(seed))
        if x.size == 0 or not np.any(x):
            return finalise_output(np.zeros_like(x), x)
        y = change_voice(x, int(sample_rate), params)
        if params.tilt_db_per_octave:
            y = tilt_spectrum(y, int(sample_rate), params.tilt_db_per_octave)
        return finalise_output(y, x)


def change_voice(x: np.ndarray, sample_rate: int, params: PsolaParams) -> np.ndarray:
    """Formants times the drawn ratio, pitch median moved by the drawn semitones and its range
    scaled, same length."""
    ratio = ratio_fraction(params.formant_ratio)
    r = float(ratio)
    track = pitch_track(x, sample_rate)
    marks = pitch_marks(x, sample_rate, track)
    median = marks.median_f0(sample_rate) or 1.0  # no marks: no period is re-spaced
    target = median * 2.0 ** (params.semitones / 12.0)

    def new_f0(f0: float) -> float:
        # On the semitone scale around the new median; "/ r" because the resampling after
        # PSOLA multiplies the pitch by r again.
        return target * (f0 / median) ** params.pitch_range_factor / r

    # Played r times faster: every frequency times r, the length back to the input's.
    return play_faster(psola(x, sample_rate, marks, new_f0, r), ratio, x.size)

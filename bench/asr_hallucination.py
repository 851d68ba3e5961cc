"""Words Whisper invents on silence and noise, with and without faster-whisper's VAD filter.

    .venv/bin/python bench/asr_hallucination.py [--quick]

Clips with no speech at all (digital silence, a noise floor, white, pink and brown noise at
several levels, mains hum) are transcribed by the project's Whisper engine twice: with
``vad_filter=False`` (the baseline, what the draft used before) and ``vad_filter=True``. Every
word of those transcripts is invented. The same two engines also transcribe spoken commands
(espeak-ng, the demo voices) with silence and noise around them, so the table shows what the
filter costs on real speech (WER against the text read) next to what it saves.
Prints a table and writes bench/results/asr_hallucination.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RATE = 16_000
NOISES = (
    ("silence", None, 0.0),
    ("noise floor -70 dBFS", "white", -70.0),
    ("white -45 dBFS", "white", -45.0),
    ("white -30 dBFS", "white", -30.0),
    ("pink -35 dBFS", "pink", -35.0),
    ("pink -25 dBFS", "pink", -25.0),
    ("brown -25 dBFS", "brown", -25.0),
    ("hum 50 Hz -30 dBFS", "hum", -30.0),
)
COMMANDS = (
    "set an alarm for seven thirty tomorrow morning",
    "call john smith on five five five one two one two",
    "tell me a joke",
    "what is the weather like in lisbon this weekend",
    "turn the living room lights down to thirty percent",
    "remind me to pick up the dry cleaning at five",
    "add oat milk and eggs to my shopping list",
    "read me the latest news headlines",
)


def noise(kind: str | None, level_db: float, seconds: float, seed: int) -> np.ndarray:
    n = int(seconds * RATE)
    if kind is None:
        return np.zeros(n, dtype=np.float32)
    rng = np.random.default_rng(seed)
    if kind == "hum":
        t = np.arange(n) / RATE
        x = np.sin(2 * np.pi * 50 * t) + 0.3 * np.sin(2 * np.pi * 150 * t)
    else:
        white = rng.standard_normal(n)
        if kind == "white":
            x = white
        else:  # pink (1/f) or brown (1/f^2) by shaping the spectrum
            spectrum = np.fft.rfft(white)
            f = np.maximum(np.fft.rfftfreq(n, 1 / RATE), 1.0)
            spectrum /= np.sqrt(f) if kind == "pink" else f
            x = np.fft.irfft(spectrum, n)
    rms = float(np.sqrt(np.mean(x**2))) or 1.0
    return (x / rms * 10 ** (level_db / 20)).astype(np.float32)


def spoken(text: str, voice: str) -> np.ndarray:
    from voxguard.audio import to_target_rate
    from voxguard.demo.speech import synthesize

    audio, rate = synthesize(text, voice)
    return to_target_rate(audio, rate)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one seed, one length, fewer commands")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import jiwer

    from voxguard.asr.normalize import normalize_text
    from voxguard.asr.whisper import WhisperEngine
    from voxguard.demo.speech import DEMO_VOICES

    seeds = (1,) if args.quick else (1, 2, 3)
    lengths = (5.0,) if args.quick else (2.0, 5.0, 10.0)
    commands = COMMANDS[:4] if args.quick else COMMANDS
    voices = DEMO_VOICES[:2] if args.quick else DEMO_VOICES[:3]
    engines = {
        "no VAD (baseline)": WhisperEngine(vad_filter=False),
        "VAD filter": WhisperEngine(vad_filter=True),
    }
    empty_clips = [
        (name, noise(kind, level, seconds, seed))
        for name, kind, level in NOISES
        for seconds in lengths
        for seed in seeds
    ]
    speech_clips = []
    for k, text in enumerate(commands):
        name, kind, level = NOISES[k % len(NOISES)]
        speech = spoken(text, voices[k % len(voices)])
        pad = noise(kind, level, 1.5, k)
        bed = noise(kind, level, len(speech) / RATE, k + 100)
        speech_clips.append((text, name, np.concatenate([pad, speech + bed, pad])))

    results: dict[str, dict] = {}
    for label, engine in engines.items():
        engine.transcribe(np.zeros(RATE, dtype=np.float32), RATE)  # warm up
        per_kind: dict[str, list[int]] = {}
        examples: list[str] = []
        t0 = time.perf_counter()
        for name, clip in empty_clips:
            words = engine.transcribe(clip, RATE).text.split()
            per_kind.setdefault(name, []).append(len(words))
            if words and len(examples) < 6:
                examples.append(f"{name}: {' '.join(words)[:60]!r}")
        empty_seconds = time.perf_counter() - t0
        refs, hyps = [], []
        t0 = time.perf_counter()
        for text, _, clip in speech_clips:
            refs.append(normalize_text(text))
            hyps.append(engine.transcribe(clip, RATE).text or "")
        speech_seconds = time.perf_counter() - t0
        counts = [c for v in per_kind.values() for c in v]
        results[label] = {
            "invented_words_total": int(sum(counts)),
            "invented_words_per_clip": float(np.mean(counts)),
            "clips_with_invented_words": float(np.mean([c > 0 for c in counts])),
            "per_noise": {k: float(np.mean(v)) for k, v in per_kind.items()},
            "speech_wer": float(jiwer.wer(refs, hyps)),
            "speech_hypotheses": hyps,
            "examples": examples,
            "seconds_empty": empty_seconds,
            "seconds_speech": speech_seconds,
        }

    labels = list(engines)
    print(
        f"{len(empty_clips)} clips without speech ({', '.join(f'{s:g} s' for s in lengths)}), "
        f"{len(speech_clips)} spoken commands with silence/noise around them\n"
    )
    print(f"{'':<34}" + "".join(f"{lab:>20}" for lab in labels))
    rows = [
        ("invented words, all empty clips", lambda r: f"{r['invented_words_total']}"),
        ("invented words per clip", lambda r: f"{r['invented_words_per_clip']:.2f}"),
        ("empty clips with any word", lambda r: f"{r['clips_with_invented_words']:.0%}"),
        *(
            (f"  {name}", lambda r, name=name: f"{r['per_noise'][name]:.2f}")
            for name, _, _ in NOISES
        ),
        ("WER on spoken commands", lambda r: f"{r['speech_wer']:.3f}"),
        ("decode time, empty clips (s)", lambda r: f"{r['seconds_empty']:.1f}"),
        ("decode time, commands (s)", lambda r: f"{r['seconds_speech']:.1f}"),
    ]
    for title, cell in rows:
        print(f"{title:<34}" + "".join(f"{cell(results[lab]):>20}" for lab in labels))
    for lab in labels:
        if results[lab]["examples"]:
            print(f"\n{lab}, invented: " + "; ".join(results[lab]["examples"]))
    out = ROOT / "bench" / "results" / "asr_hallucination.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where `pitchwarp-mcadams` loses its words: each part of the change alone, and each drawn
parameter's terciles, on speechocean762's tuning half (issue 12).

The ASR agreement WER of bench/privacy_eval.py (Whisper tiny.en on the anonymized clip against
its own transcript of the original), measured for:

- the LPC analysis and resynthesis with nothing changed, the pitch shift alone, the envelope
  change alone (warp, wobble, McAdams, bandwidth, tilt), and the default (both), each clip
  anonymized with the same seed; the residual's pitch shift by the phase vocoder (the
  default) and by WSOLA (``wsola.pitch_shift``, which keeps bursts sharper) side by side;
- the default over ``--seeds`` draws per clip, the WER of the clips in each tercile of each
  drawn parameter (and of the clip's own median F0), to see whether some part of a range
  costs most of the words.

Run: ``.venv/bin/python bench/anonymizer_wer_parts.py [--speakers 12] [--clips 4] [--seeds 2]``
(about 8 minutes at the defaults: 96 clips).
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speechocean
from pii_corpus import shared_data_dir
from privacy_eval import RATE, corpus_wer, load_16k
from voxguard.privacy.anonymize import pitchwarp, wsola
from voxguard.privacy.anonymize.pitchwarp import PitchWarpMcAdamsAnonymizer
from voxguard.privacy.anonymize.source import median_f0

SEED = 7
console = Console()

_STILL = {
    "warp_range": (1.0, 1.0),
    "alpha_range": (1.0, 1.0),
    "wobble_range": (0.0, 0.0),
    "bandwidth_range": (1.0, 1.0),
    "tilt_range": (0.0, 0.0),
}
_NO_PITCH = {"semitone_range": (0.0, 0.0), "min_abs_semitones": 0.0}
PARTS: dict[str, PitchWarpMcAdamsAnonymizer] = {
    "LPC analysis + resynthesis, nothing changed": PitchWarpMcAdamsAnonymizer(
        **_STILL, **_NO_PITCH
    ),
    "pitch shift alone": PitchWarpMcAdamsAnonymizer(**_STILL),
    "envelope change alone": PitchWarpMcAdamsAnonymizer(**_NO_PITCH),
    "default (both)": PitchWarpMcAdamsAnonymizer(),
}
DRAWN = ("semitones", "warp", "alpha", "wobble", "bandwidth", "tilt_db_per_octave")


@dataclass
class Decoded:
    reference: str
    audio: np.ndarray


def _wer(references: list[str], hypotheses: list[str]) -> float:
    return corpus_wer(references, hypotheses)[0]


def _clips(root: Path, speakers: int, per_speaker: int, transcribe: Callable) -> list[Decoded]:
    clips = speechocean.read_clips(root)
    chosen = [
        c for s in speechocean.half_speakers(root, "tune", speakers) for c in clips[s][:per_speaker]
    ]
    out = []
    for clip in track(chosen, "ASR on originals", console=console):
        x = load_16k(clip.path)
        reference = transcribe(x)
        if reference:
            out.append(Decoded(reference, x))
    return out


def parts_table(clips: list[Decoded], transcribe: Callable) -> Table:
    table = Table(title=f"ASR agreement WER by part, {len(clips)} clips, seed {SEED}")
    table.add_column("change")
    table.add_column("WER", justify="right")
    refs = [c.reference for c in clips]
    rows = [(label, anonymizer, None) for label, anonymizer in PARTS.items()]
    rows.append(("default, residual pitch-shifted by WSOLA", PARTS["default (both)"], "wsola"))
    for label, anonymizer, shift in rows:
        saved = pitchwarp.pitch_shift
        if shift == "wsola":
            pitchwarp.pitch_shift = wsola.pitch_shift  # type: ignore[assignment]
        try:
            hyps = [
                transcribe(anonymizer(c.audio, RATE, SEED))
                for c in track(clips, label, console=console)
            ]
        finally:
            pitchwarp.pitch_shift = saved
        table.add_row(label, f"{100 * _wer(refs, hyps):.1f} %")
    return table


def tercile_table(clips: list[Decoded], transcribe: Callable, seeds: int) -> Table:
    anonymizer = PARTS["default (both)"]
    values: dict[str, list[float]] = {name: [] for name in ("median F0", *DRAWN)}
    refs: list[str] = []
    hyps: list[str] = []
    jobs = [(c, s) for c in clips for s in range(seeds)]
    for clip, s in track(jobs, "default over seeds", console=console):
        seed = zlib.crc32(f"{clip.reference}/{s}".encode())
        params = anonymizer.params_for(seed, RATE)
        values["median F0"].append(median_f0(clip.audio, RATE) or 0.0)
        for name in DRAWN:
            values[name].append(float(getattr(params, name)))
        refs.append(clip.reference)
        hyps.append(transcribe(anonymizer(clip.audio, RATE, seed)))
    table = Table(
        title=f"default: WER of the decodes in each tercile of a parameter "
        f"({len(jobs)} decodes, overall {100 * _wer(refs, hyps):.1f} %)"
    )
    for col in ("parameter", "low third", "middle third", "high third"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for name, vals in values.items():
        v = np.array(vals)
        edges = np.quantile(v, [0.0, 1 / 3, 2 / 3, 1.0])
        cells = []
        for k in range(3):
            inside = (v >= edges[k]) & (v <= edges[k + 1])
            idx = np.flatnonzero(inside)
            wer = _wer([refs[i] for i in idx], [hyps[i] for i in idx])
            cells.append(f"{100 * wer:.1f} % [{edges[k]:.2f}..{edges[k + 1]:.2f}]")
        table.add_row(name, *cells)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speakers", type=int, default=12, help="per gender, tuning half")
    ap.add_argument("--clips", type=int, default=4, help="per speaker")
    ap.add_argument("--seeds", type=int, default=2, help="draws per clip for the terciles")
    args = ap.parse_args(argv)
    root = shared_data_dir() / speechocean.FOLDER
    if not (root / "speakers.tsv").is_file():
        raise SystemExit(f"speechocean762-adults not found under {root}")
    from voxguard.asr import get_engine

    engine = get_engine("whisper", cpu_threads=2)

    def transcribe(x: np.ndarray) -> str:
        return engine.transcribe(x, RATE).text

    clips = _clips(root, args.speakers, args.clips, transcribe)
    console.print(parts_table(clips, transcribe))
    console.print(tercile_table(clips, transcribe, args.seeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""LPC solve: voxguard's batched Levinson-Durbin against ``scipy.linalg.solve_toeplitz``, one run.

Issue 13 asks for libraries over hand-rolled code where a benchmark shows no loss. The anonymizer
solves one Toeplitz system per 10 ms frame (autocorrelations -> LPC polynomial). SciPy's
``solve_toeplitz`` (also Levinson recursion, in compiled code) takes one system per call, so it is
called once per frame; ``privacy.anonymize.lpc.levinson`` advances every frame together, looping
over the LPC order only. Both get the same autocorrelations of real speech frames (the demo's
espeak-ng voice) and must give the same polynomials.

The baseline is "scipy solve_toeplitz (per frame)". The table prints milliseconds per second of
audio (the fastest of several passes), the speed-up, and the largest difference in coefficients.

Run: ``.venv/bin/python bench/levinson.py [--order 20] [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.linalg import solve_toeplitz

from voxguard.demo.speech import synthesize
from voxguard.privacy.anonymize.lpc import levinson

RATE, HOP, WINDOW = 16_000, 160, 400


def speech(seconds: float) -> np.ndarray:
    """A command said by the demo's espeak-ng voice, repeated to ``seconds`` (at its own rate:
    the solve's cost depends on the number of frames, not on the sample rate)."""
    audio, _rate = synthesize("set an alarm for seven thirty and play some jazz in the kitchen")
    reps = int(np.ceil(seconds * RATE / len(audio)))
    return np.tile(audio, reps)[: int(seconds * RATE)].astype(np.float64)


def autocorrelations(audio: np.ndarray, order: int) -> np.ndarray:
    starts = range(0, len(audio) - WINDOW, HOP)
    frames = np.stack([audio[s : s + WINDOW] * np.hanning(WINDOW) for s in starts])
    n_fft = 1024
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=-1)) ** 2
    r = np.fft.irfft(power, n=n_fft, axis=-1)[:, : order + 1]
    loud = r[:, 0] > 1e-8  # SciPy has no silent-frame rule; compare on frames with sound
    return r[loud]


def scipy_per_frame(r: np.ndarray, order: int) -> np.ndarray:
    r = r.copy()
    r[:, 0] *= 1.0 + 1e-9  # the same white-noise correction as levinson()
    out = np.ones((len(r), order + 1))
    for i, row in enumerate(r):
        out[i, 1:] = -solve_toeplitz(row[:order], row[1 : order + 1])
    return out


def best_ms(fn: Callable[[], np.ndarray], passes: int) -> tuple[float, np.ndarray]:
    best, result = float("inf"), np.empty(0)
    for _ in range(passes):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--order", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--passes", type=int, default=7)
    args = parser.parse_args()
    r = autocorrelations(speech(args.seconds), args.order)
    base_ms, base = best_ms(lambda: scipy_per_frame(r, args.order), args.passes)
    ours_ms, ours = best_ms(lambda: levinson(r, args.order), args.passes)
    difference = float(np.max(np.abs(ours - base)))
    table = Table(title=f"LPC order {args.order}, {len(r)} frames ({args.seconds:g} s of audio)")
    for column in ("method", "ms CPU per s of audio", "vs baseline", "max |Δ coefficient|"):
        table.add_column(column, justify="right" if column != "method" else "left")
    per_s = 1 / args.seconds
    table.add_row(
        "scipy solve_toeplitz (per frame) [baseline]", f"{base_ms * per_s:.2f}", "1.0×", "–"
    )
    table.add_row(
        "voxguard levinson (batched)",
        f"{ours_ms * per_s:.2f}",
        f"{base_ms / max(ours_ms, 1e-9):.1f}× faster",
        f"{difference:.1e}",
    )
    Console().print(table)


if __name__ == "__main__":
    main()

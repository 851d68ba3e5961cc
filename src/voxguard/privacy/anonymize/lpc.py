"""Batched short-time LPC analysis and filtering, vectorised over frames.

Every heavy step works on a stack of frames at once: autocorrelation by FFT, Levinson-Durbin
looping over the LPC order (not over frames), poles as eigenvalues of a stack of companion
matrices, polynomials rebuilt from poles looping over the order, and filtering as a product of
spectra followed by overlap-add. Python loops only ever run over the LPC order or over the few
hop-sized blocks of one FFT frame.
"""

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from numpy.lib.stride_tricks import sliding_window_view

# Frames whose windowed energy (sum of squares) is below this count as silence and get the
# identity filter, so digital silence passes through instead of producing ill-conditioned LPC.
_SILENT_POWER = 1e-12
# A tiny white-noise floor on r[0] keeps Levinson well conditioned on perfectly periodic input.
_WHITE_NOISE_CORRECTION = 1e-9


@dataclass(frozen=True)
class FrameGrid:
    """How a signal of `length` samples is cut into Hann frames with 50 % overlap."""

    length: int
    hop: int
    pad: int
    n_frames: int
    n_fft: int

    @property
    def frame_len(self) -> int:
        return 2 * self.hop


def make_grid(length: int, sample_rate: int, frame_ms: float, lpc_order: int) -> FrameGrid:
    hop = max(2, round(sample_rate * frame_ms / 2000.0))
    frame_len = 2 * hop
    # Pad by a whole frame on each side so that the periodic-Hann overlap-add sums to exactly 1
    # over every original sample, including the first and last.
    pad = frame_len
    padded = length + 2 * pad
    n_frames = max(1, int(np.ceil((padded - frame_len) / hop)) + 1)
    # Room for the decaying tail of the all-pole synthesis filter before circular wrap-around;
    # three frame lengths keep the wrapped part far below audibility for LPC pole radii.
    n_fft = sfft.next_fast_len(max(4 * frame_len, frame_len + lpc_order + 1), real=True)
    return FrameGrid(length=length, hop=hop, pad=pad, n_frames=n_frames, n_fft=n_fft)


def periodic_hann(n: int) -> np.ndarray:
    # Periodic (not symmetric) Hann sums to exactly 1 at 50 % overlap.
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def frames(x: np.ndarray, grid: FrameGrid) -> np.ndarray:
    """Hann-windowed frames, shape (n_frames, frame_len)."""
    total = (grid.n_frames - 1) * grid.hop + grid.frame_len
    xp = np.zeros(total, dtype=np.float64)
    xp[grid.pad : grid.pad + grid.length] = x
    view = sliding_window_view(xp, grid.frame_len)[:: grid.hop]
    return view * periodic_hann(grid.frame_len)


def overlap_add(blocks: np.ndarray, grid: FrameGrid) -> np.ndarray:
    """Overlap-add frames of any length >= hop at the grid's hop; returns the original span."""
    n_frames, width = blocks.shape
    hop = grid.hop
    n_parts = -(-width // hop)
    if n_parts * hop != width:
        blocks = np.pad(blocks, ((0, 0), (0, n_parts * hop - width)))
    parts = blocks.reshape(n_frames, n_parts, hop)
    out = np.zeros((n_frames + n_parts - 1, hop), dtype=np.float64)
    for j in range(n_parts):  # loops over the hop-sized pieces of one frame, not over frames
        out[j : j + n_frames] += parts[:, j, :]
    flat = out.reshape(-1)
    return flat[grid.pad : grid.pad + grid.length]


def autocorrelation(spectrum: np.ndarray, n_fft: int, order: int) -> np.ndarray:
    """Autocorrelation lags 0..order from frame spectra computed with n_fft >= frame + order."""
    power = spectrum.real**2 + spectrum.imag**2
    return sfft.irfft(power, n=n_fft, axis=-1)[:, : order + 1]


def levinson(r: np.ndarray, order: int) -> np.ndarray:
    """Batched Levinson-Durbin: (n_frames, order+1) autocorrelations -> monic LPC polynomials.

    Returns a with a[:, 0] == 1 and A(z) = sum a_k z^-k minimum phase. Silent frames get A(z) = 1.
    Kept over ``scipy.linalg.solve_toeplitz``, which solves one frame per call: on the same
    frames it gives the same polynomials (within 1e-8) about 20x slower (``bench/levinson.py``).
    """
    r = np.array(r, dtype=np.float64, copy=True)
    silent = r[:, 0] <= _SILENT_POWER
    r[silent] = 0.0
    r[silent, 0] = 1.0
    r[:, 0] *= 1.0 + _WHITE_NOISE_CORRECTION
    n = r.shape[0]
    a = np.zeros((n, order + 1), dtype=np.float64)
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for i in range(1, order + 1):  # loops over the LPC order; every frame advances together
        acc = r[:, i] + np.einsum("fj,fj->f", a[:, 1:i], r[:, i - 1 : 0 : -1])
        k = -acc / err
        # Clamp for numerical safety; exact arithmetic already guarantees |k| < 1.
        k = np.clip(k, -0.999999, 0.999999)
        a[:, 1:i] = a[:, 1:i] + k[:, None] * a[:, i - 1 : 0 : -1]
        a[:, i] = k
        err = err * (1.0 - k * k)
    return a


def poles(a: np.ndarray) -> np.ndarray:
    """Roots of each monic LPC polynomial, as eigenvalues of a stack of companion matrices."""
    n, p1 = a.shape
    p = p1 - 1
    comp = np.zeros((n, p, p), dtype=np.float64)
    comp[:, 0, :] = -a[:, 1:]
    idx = np.arange(p - 1)
    comp[:, idx + 1, idx] = 1.0
    return np.linalg.eigvals(comp)


def poly_from_roots(roots: np.ndarray) -> np.ndarray:
    """Monic real polynomials from conjugate-symmetric root stacks (n_frames, p) -> (n, p+1)."""
    n, p = roots.shape
    c = np.zeros((n, p + 1), dtype=np.complex128)
    c[:, 0] = 1.0
    for k in range(p):  # loops over the order: multiply every frame's polynomial by (1 - z_k z^-1)
        c[:, 1 : k + 2] = c[:, 1 : k + 2] - roots[:, k : k + 1] * c[:, 0 : k + 1]
    # Roots come in exact conjugate pairs, so the imaginary parts are rounding noise only.
    return c.real.copy()


def map_pole_angles(roots: np.ndarray, mapping, radius_power: float = 1.0) -> np.ndarray:
    """Move every complex pole's angle through `mapping` (an odd-symmetric map on [0, pi]).

    Real poles (exactly zero imaginary part, as LAPACK returns them) are left where they are, so
    spectral tilt is kept; conjugate pairs stay conjugate because the map is applied to |angle|.
    radius_power > 1 widens the formant bandwidths (r -> r**power), < 1 narrows them.
    """
    angle = np.angle(roots)
    radius = np.abs(roots)
    complex_pole = roots.imag != 0.0
    new_abs = mapping(np.abs(angle))
    # Keep moved poles strictly inside (0, pi) so they never collide into a real pole.
    new_abs = np.clip(new_abs, 1e-4, np.pi - 1e-4)
    new_angle = np.where(complex_pole, np.sign(angle) * new_abs, angle)
    if radius_power != 1.0:
        radius = np.where(complex_pole, np.minimum(radius**radius_power, 0.999), radius)
    return np.where(complex_pole, radius * np.exp(1j * new_angle), roots)


def lpc_frames(x: np.ndarray, grid: FrameGrid, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Windowed-frame spectra (n_frames, n_fft//2+1) and LPC polynomials (n_frames, order+1)."""
    spec = sfft.rfft(frames(x, grid), n=grid.n_fft, axis=-1)
    r = autocorrelation(spec, grid.n_fft, order)
    return spec, levinson(r, order)


def polynomial_response(a: np.ndarray, n_fft: int) -> np.ndarray:
    """A(e^{jw}) on the rfft grid for a stack of polynomials."""
    return sfft.rfft(a, n=n_fft, axis=-1)


def synthesise(spec: np.ndarray, grid: FrameGrid) -> np.ndarray:
    """Inverse FFT of filtered frame spectra followed by overlap-add."""
    blocks = sfft.irfft(spec, n=grid.n_fft, axis=-1)
    return overlap_add(blocks, grid)


def lpc_envelope_db(a: np.ndarray, n_fft: int) -> np.ndarray:
    """All-pole envelope 1/|A| in dB, for analysis and tests."""
    resp = np.abs(polynomial_response(np.atleast_2d(a), n_fft))
    return -20.0 * np.log10(np.maximum(resp, 1e-12))

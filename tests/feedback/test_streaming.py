"""Exports stream: memory does not grow with the number of clips (no timing, only allocations)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from tests.support.feedback import bulk_curated
from voxguard.feedback.export import ExportRequest, run_export
from voxguard.runtime import Runtime


def _peak_bytes(rt: Runtime, out: Path, fmt: str) -> tuple[int, int]:
    request = ExportRequest(format=fmt, audio="none", out=out, actor="test")
    tracemalloc.start()
    try:
        result = run_export(rt.db, rt.vault, request)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.clips, peak


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_memory_is_flat_from_1000_to_10000_clips(rt: Runtime, tmp_path: Path, fmt: str) -> None:
    bulk_curated(rt, 200, accounts=40, tag="warm")
    _peak_bytes(rt, tmp_path / "warm-up", fmt)  # imports and statement caches, once
    bulk_curated(rt, 800, accounts=160, tag="small")
    small_clips, small_peak = _peak_bytes(rt, tmp_path / "small", fmt)
    bulk_curated(rt, 9_000, accounts=1_800, tag="large")
    large_clips, large_peak = _peak_bytes(rt, tmp_path / "large", fmt)
    assert (small_clips, large_clips) == (1_000, 10_000)
    # Ten times the clips, the same peak of Python allocations, give or take garbage the
    # collector has not reached yet (up to ~2 MB seen). A writer that kept the 9,000 extra
    # rows (a dict of eight fields, about 1 kB each) would add about 9 MB.
    assert large_peak < small_peak + 4_000_000, (small_peak, large_peak)

"""Exports stream: clips/s and peak memory of `voxguard export` from 1,000 to 100,000 clips.

Each size gets a fresh database (SQLite, and PostgreSQL when it answers) filled with accepted
clips of consenting accounts (five clips an account), then each export runs in a process of its
own so its peak resident memory is its own. Named baseline, in the same run: reading the curated
set alone (the same pages, nothing written), the floor any export pays. The memory check: peak
RSS at 10,000 clips within 10 % of the peak at 1,000 (and 100,000 reported beside them).

Run: ``.venv/bin/python bench/export_stream.py [--quick] [--backends sqlite,postgresql]
[--formats jsonl,parquet,csv] [--sizes 1000,10000,100000]``.
Writes bench/results/export_stream-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "src"))
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
FLAT_RATIO = 1.10


def child(url: str, data_dir: str, fmt: str, out: str) -> None:
    """One measured run: an export (or, for fmt 'read', the curated pages alone)."""
    from voxguard.config import Settings
    from voxguard.db.base import utcnow
    from voxguard.feedback.curated import iter_curated
    from voxguard.feedback.export import ExportRequest, run_export
    from voxguard.runtime import build_runtime

    rt = build_runtime(Settings(data_dir=Path(data_dir), database_url=url))
    started = time.perf_counter()
    if fmt == "read":
        clips = sum(1 for _ in iter_curated(rt.db, utcnow()))
    else:
        request = ExportRequest(format=fmt, audio="none", out=Path(out), actor="bench")
        clips = run_export(rt.db, rt.vault, request).clips
    seconds = time.perf_counter() - started
    rt.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"clips": clips, "seconds": seconds, "peak_rss_mb": peak_mb}))


def measure(url: str, data_dir: Path, fmt: str, tag: str) -> dict[str, float]:
    out = data_dir / f"export-{fmt}-{tag}"
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, str(data_dir), fmt, str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["clips_per_s"] = result["clips"] / result["seconds"] if result["seconds"] else 0.0
    return result


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 clips only")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--formats", default="jsonl,parquet,csv")
    parser.add_argument("--sizes", help="clip counts, e.g. 1000,10000 (must include 1000, 10000)")
    args = parser.parse_args()

    from tests.support.feedback import bulk_curated

    from _common import bench_env, pg_available
    from voxguard.config import Settings
    from voxguard.runtime import build_runtime

    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.sizes:
        sizes = sorted({1_000, 10_000} | {int(n) for n in args.sizes.split(",")})
    formats = ["read", *args.formats.split(",")]
    rows = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and (why := pg_available()):
            print(f"PostgreSQL skipped: {why}")
            continue
        for size in sizes:
            with bench_env(backend, accounts=0, label=f"export{size}") as env:
                rt = build_runtime(Settings(data_dir=env.data_dir, database_url=env.database_url))
                filled = time.perf_counter()
                bulk_curated(rt, size, accounts=size // 5, tag=f"b{size}")
                rt.close()
                print(
                    f"{backend} {size:,} clips stored in {time.perf_counter() - filled:.0f} s",
                    flush=True,
                )
                for fmt in formats:
                    result = measure(env.database_url, env.data_dir, fmt, str(size))
                    rows.append({"backend": backend, "clips": size, "format": fmt, **result})
                    print(
                        f"  {fmt:<8} {result['clips_per_s']:>8,.0f} clips/s  peak RSS {result['peak_rss_mb']:6.0f} MB",
                        flush=True,
                    )

    print()
    print("format   backend      clips   clips/s  vs read  peak RSS MB")
    for row in rows:
        floor = next(
            r
            for r in rows
            if r["backend"] == row["backend"]
            and r["clips"] == row["clips"]
            and r["format"] == "read"
        )
        share = row["clips_per_s"] / floor["clips_per_s"] if floor["clips_per_s"] else 0.0
        print(
            f"{row['format']:<8} {row['backend']:<10} {row['clips']:>8,} {row['clips_per_s']:>9,.0f} {share:>7.0%} {row['peak_rss_mb']:>11.0f}"
        )
    verdicts = []
    for backend in {r["backend"] for r in rows}:
        for fmt in formats:
            peaks = {
                r["clips"]: r["peak_rss_mb"]
                for r in rows
                if r["backend"] == backend and r["format"] == fmt
            }
            ratio = peaks[10_000] / peaks[1_000]
            flat = ratio <= FLAT_RATIO
            verdicts.append(
                {"backend": backend, "format": fmt, "ratio_10k_1k": ratio, "flat": flat}
            )
            extra = f", 100k/1k {peaks[100_000] / peaks[1_000]:.2f}" if 100_000 in peaks else ""
            print(
                f"memory {backend} {fmt}: peak RSS 10k/1k {ratio:.2f}{extra} -> {'flat' if flat else 'GROWS'} (target <= {FLAT_RATIO})"
            )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"export_stream-{stamp}.json").write_text(
        json.dumps({"rows": rows, "verdicts": verdicts}, indent=2)
    )
    print(f"wrote bench/results/export_stream-{stamp}.json")
    return 0 if all(v["flat"] for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())

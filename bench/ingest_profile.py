"""Where an upload's CPU goes: ``ingest_upload`` in-process under cProfile, or the real app.

Builds the same throw-away database as ``bench/ingest.py`` (devices, half the accounts opted in
to review) and sends the same 4 s WAV clips with the same metadata. By default it calls
``ingest_upload`` directly (one thread, so cProfile sees all of it) and prints the CPU per
upload and the top functions by cumulative and own time. ``--http`` posts through Starlette's
TestClient instead and prints only the process CPU per upload (client included): the app runs
in other threads, which cProfile does not follow. For the HTTP layer's share, sample the real
server: ``BENCH_WRAP="py-spy record --format raw -o stacks.txt --" bench/ingest.py ...``.

Run: ``.venv/bin/python bench/ingest_profile.py [--backend sqlite|postgresql] [--n 600]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
import uuid

from _common import ClipPool, bench_env, metadata  # type: ignore[import-not-found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--n", type=int, default=600, help="uploads measured (after 100 warm-up)")
    parser.add_argument("--http", action="store_true", help="post through TestClient (no profile)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true", help="CPU ms per upload only")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from voxguard.config import Settings
    from voxguard.ingest.service import ingest_upload
    from voxguard.runtime import build_runtime
    from voxguard.web.app import create_app

    pool = ClipPool()
    with bench_env(args.backend, label="profile") as env:
        rt = build_runtime(Settings(data_dir=env.data_dir, database_url=env.database_url))
        client = TestClient(create_app(rt), raise_server_exceptions=True)
        counter = iter(range(10**9))

        def one() -> None:
            i = next(counter)
            device = env.devices[i % len(env.devices)]
            meta = json.dumps(metadata(device, f"p-{uuid.uuid4().hex}", i)).encode()
            audio = pool.variant(i)
            if not args.http:
                ingest_upload(
                    rt.db, rt.vault, rt.settings, metadata_raw=meta, audio=audio, token=device.token
                )
                return
            response = client.post(
                "/api/v1/utterances",
                headers={"Authorization": f"Bearer {device.token}"},
                files={"audio": ("u.wav", audio, "audio/wav"), "metadata": (None, meta)},
            )
            assert response.status_code in (201, 202), response.text

        with client:
            for _ in range(100):
                one()
            profiler = cProfile.Profile(time.thread_time)  # CPU, not waits (fsync)
            blocks: list[float] = []  # CPU ms per upload of each block of 100
            for _ in range(max(1, args.n // 100)):
                start = time.process_time()
                if not (args.no_profile or args.http):
                    profiler.enable()
                for _ in range(100):
                    one()
                profiler.disable()
                blocks.append(10 * (time.process_time() - start))
        rt.close()
    what = "TestClient + app" if args.http else "ingest_upload"
    blocks.sort()
    print(
        f"{args.backend}, {what}: CPU ms per upload over {len(blocks)} blocks of 100: "
        f"min {blocks[0]:.2f}, median {blocks[len(blocks) // 2]:.2f} (the min is the steadier "
        "figure on a shared machine)"
    )
    if args.no_profile or args.http:
        return
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()

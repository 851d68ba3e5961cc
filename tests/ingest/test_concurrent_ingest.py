"""Concurrent uploads of one opted-in, sampled account over real HTTP: none lost, cap exact.

On PostgreSQL the utterance insert takes a key-share lock on the account row (its foreign key);
the per-account cap then locks the same row. Taken in that order by two uploads at once, each
waits for the other (a deadlock answered with 500). Both databases run this test.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.net import free_port
from tests.support.world import make_device
from voxguard.audit import verify_chain
from voxguard.db.models import SamplingDecision, Utterance
from voxguard.runtime import build_runtime
from voxguard.web.server import BackgroundServer

UPLOADS = 32
PARALLEL = 8
CAP = 12


def test_parallel_uploads_of_one_sampled_account_all_land_and_respect_the_cap(
    make_settings,  # type: ignore[no-untyped-def]
) -> None:
    rt = build_runtime(
        make_settings(sampling_rate=1.0, sampling_account_cap_30d=CAP, web_threads=PARALLEL)
    )
    server = BackgroundServer(rt, "127.0.0.1", free_port())
    try:
        device = make_device(rt, review="opted_in")
        server.start()
        audio = tone_wav(0.5)

        def upload(index: int) -> int:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                response = client.post(
                    "/api/v1/utterances",
                    headers={"Authorization": f"Bearer {device.token}"},
                    files={
                        "audio": ("clip.wav", audio, "audio/wav"),
                        "metadata": (None, device.metadata_bytes(f"u-{index}"), "application/json"),
                    },
                )
            return response.status_code

        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            statuses = list(pool.map(upload, range(UPLOADS)))
        assert statuses == [201] * UPLOADS
        with rt.db.read() as session:
            stored = session.execute(sa.select(sa.func.count()).select_from(Utterance)).scalar()
            reasons = dict(
                session.execute(
                    sa.select(SamplingDecision.reason, sa.func.count()).group_by(
                        SamplingDecision.reason
                    )
                ).all()
            )
            assert verify_chain(session)[1] is None
        assert stored == UPLOADS
        assert reasons == {"drawn": CAP, "account_cap": UPLOADS - CAP}
    finally:
        server.stop()
        rt.close()

"""A worker killed with SIGKILL mid-job loses nothing: the lease expires and the job is redone once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.db.models import WorkItem
from voxguard.runtime import Runtime


def _states(rt: Runtime, queue: str) -> list[str]:
    with rt.db.read() as session:
        return list(
            session.execute(sa.select(WorkItem.state).where(WorkItem.queue == queue)).scalars()
        )


def test_kill_9_during_a_job_loses_nothing(rt: Runtime, tmp_path: Path) -> None:
    device = make_device(rt)
    with app_client(rt) as client:
        for i in range(3):
            post_utterance(client, device.token, tone_wav(2.0 + i / 10), device.metadata(f"k{i}"))
    env = {
        **os.environ,
        "VOXGUARD_DATA_DIR": str(rt.settings.data_dir),
        "VOXGUARD_DATABASE_URL": rt.db.url,
        "VOXGUARD_JOB_LEASE_SECONDS": "3",
    }
    command = [sys.executable, "-m", "voxguard.cli.main", "worker"]
    worker = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while "leased" not in _states(rt, "jobs") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "leased" in _states(rt, "jobs"), "the worker never claimed a job"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    time.sleep(3.5)  # the dead worker's lease runs out
    survivor = subprocess.run([*command, "--drain"], env=env, capture_output=True, timeout=300)
    assert survivor.returncode == 0, survivor.stderr.decode()[-2000:]
    assert _states(rt, "jobs") == ["done"] * 3
    review = _states(rt, "review")
    assert len(review) == 3 * rt.settings.reviewers_per_clip  # each clip's tasks exactly once

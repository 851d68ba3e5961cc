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


UPLOADS = 48
KILL_EVERY = UPLOADS // 8  # acknowledged uploads between two kills


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_of_server_and_worker_under_upload_load_loses_no_acknowledged_upload(
    rt: Runtime,
) -> None:
    """Devices upload (retrying, idempotently, until acknowledged) while `voxguard serve` and
    `voxguard worker` are killed with SIGKILL and restarted: every acknowledged upload is
    stored, nothing else is, and every stored clip's job runs exactly once to the end."""
    import threading

    import httpx

    from tests.support.net import free_port
    from voxguard.audit import verify_chain
    from voxguard.db.models import Utterance

    device = make_device(rt)
    port = free_port()
    env = {
        **os.environ,
        "VOXGUARD_DATA_DIR": str(rt.settings.data_dir),
        "VOXGUARD_DATABASE_URL": rt.db.url,
        "VOXGUARD_JOB_LEASE_SECONDS": "3",
        "VOXGUARD_SAMPLING_RATE": "0.1",
        "VOXGUARD_REVIEW_CONSENT_DEFAULT": "opted_in",
    }
    cli = [sys.executable, "-m", "voxguard.cli.main"]
    serve_command = [*cli, "serve", "--port", str(port), "--no-embedded-worker"]
    worker_command = [*cli, "worker"]
    acknowledged: set[str] = set()
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + 420  # four restarts of a server and a worker on a loaded 2-core machine

    # Uploads may run only a little past the next kill's threshold until that kill happened, so
    # a machine that uploads fast (or kills slowly) cannot finish the load before all four
    # kills; a few uploads are still in flight at every kill.
    allowance = [KILL_EVERY + 2]

    failures: list[str] = []
    timeline: list[tuple[float, int]] = []  # (seconds, acknowledged) at each kill

    def uploader(ids: list[str]) -> None:
        try:
            upload(ids)
        except BaseException as exc:  # a thread's failure must reach the test, not vanish
            failures.append(repr(exc))
            raise

    def upload(ids: list[str]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for uid in ids:
                while len(acknowledged) >= allowance[0] and time.monotonic() < deadline:
                    time.sleep(0.05)
                while time.monotonic() < deadline:
                    try:
                        response = client.post(
                            "/api/v1/utterances",
                            headers={"Authorization": f"Bearer {device.token}"},
                            files={
                                "audio": ("a.wav", tone_wav(0.3 + len(uid) / 100), "audio/wav"),
                                "metadata": (None, device.metadata_bytes(uid)),
                            },
                        )
                    except httpx.HTTPError:
                        time.sleep(0.1)  # the server is down: retry the same utterance
                        continue
                    assert response.status_code < 500 or response.status_code == 503, response.text
                    if response.status_code in (200, 201):
                        with lock:
                            acknowledged.add(uid)
                        break
                    time.sleep(0.1)

    server, worker = _start(serve_command, env), _start(worker_command, env)
    ids = [f"crash-{i}" for i in range(UPLOADS)]
    threads = [threading.Thread(target=uploader, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    kills, acknowledged_at_kill = 0, 0
    try:
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            time.sleep(0.05)
            # Kill only once uploads got through since the last kill (a restart takes seconds),
            # four times in all: server, worker, server, worker.
            if kills >= 4 or len(acknowledged) < acknowledged_at_kill + KILL_EVERY:
                continue
            acknowledged_at_kill = len(acknowledged)
            victim = server if kills % 2 == 0 else worker
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            kills += 1
            timeline.append((round(time.monotonic() - started, 1), len(acknowledged)))
            if victim is server:
                server = _start(serve_command, env)
            else:
                worker = _start(worker_command, env)
            allowance[0] = UPLOADS if kills >= 4 else acknowledged_at_kill + KILL_EVERY + 2
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert failures == []
    assert kills >= 4, (
        f"{kills} kills in {time.monotonic() - started:.0f} s: the load ended (or time ran out) "
        f"before the server and worker were killed twice each; kills at {timeline}"
    )
    assert len(acknowledged) == UPLOADS
    time.sleep(3.5)  # leases of the killed workers run out
    survivor = subprocess.run(
        [*worker_command, "--drain"], env=env, capture_output=True, timeout=300
    )
    assert survivor.returncode == 0, survivor.stderr.decode()[-2000:]
    with rt.db.read() as session:
        stored = set(session.execute(sa.select(Utterance.client_utterance_id)).scalars())
        sampled = session.execute(
            sa.select(sa.func.count()).select_from(Utterance).where(Utterance.sampled.is_(True))
        ).scalar_one()
        assert verify_chain(session)[1] is None
    assert stored == acknowledged
    assert _states(rt, "jobs") == ["done"] * sampled
    assert len(_states(rt, "review")) == sampled * rt.settings.reviewers_per_clip

"""Shared helpers for the benchmarks: synthetic speech, throw-away databases, process handling.

Everything here stays on this machine: temp directories, a fresh PostgreSQL schema on
127.0.0.1, and servers bound to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import lfilter

from voxguard.audio import encode_wav_pcm16

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
PG_SERVER = os.environ.get("VOXGUARD_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RATE = 16_000

# --------------------------------------------------------------------------------------------
# Synthetic speech: a glottal pulse train with a wandering pitch through vowel formants, cut
# into syllables with pauses and fricative noise. Not intelligible, but it has the spectrum,
# envelope and silence structure of speech, so codecs and decoders see realistic data.
# --------------------------------------------------------------------------------------------

_VOWELS = (  # (F1, F2, F3) Hz, rough adult averages
    (730, 1090, 2440),
    (270, 2290, 3010),
    (300, 870, 2240),
    (530, 1840, 2480),
    (570, 840, 2410),
    (660, 1720, 2410),
    (440, 1020, 2240),
    (490, 1350, 1690),
)


def _resonator(freq: float, bandwidth: float) -> tuple[np.ndarray, np.ndarray]:
    r = np.exp(-np.pi * bandwidth / RATE)
    theta = 2 * np.pi * freq / RATE
    return np.array([1.0 - r]), np.array([1.0, -2 * r * np.cos(theta), r * r])


def _syllable(rng: np.random.Generator, n: int, f0: float) -> np.ndarray:
    t = np.arange(n) / RATE
    pitch = f0 * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(2, 5) * t + rng.uniform(0, 6)))
    phase = np.cumsum(pitch / RATE)
    source = (np.diff(np.floor(phase), prepend=0.0) > 0).astype(np.float64)  # one pulse a period
    source += 0.02 * rng.standard_normal(n)
    vowel = _VOWELS[rng.integers(len(_VOWELS))]
    out = np.zeros(n)
    for formant, gain in zip(vowel, (1.0, 0.6, 0.3), strict=True):
        b, a = _resonator(formant * rng.uniform(0.92, 1.08), 60 + formant * 0.05)
        out += gain * lfilter(b, a, source)
    envelope = np.sin(np.pi * np.linspace(0, 1, n)) ** 0.6
    return out * envelope


def synth_speech(seed: int, seconds: float = 4.0) -> np.ndarray:
    """Deterministic speech-like float32 audio in [-1, 1] at 16 kHz."""
    rng = np.random.default_rng(seed)
    total = int(seconds * RATE)
    out = np.zeros(total)
    f0 = rng.uniform(95, 230)  # speaker
    pos = int(rng.uniform(0.05, 0.25) * RATE)  # leading silence
    while pos < total - RATE // 10:
        n = int(rng.uniform(0.12, 0.32) * RATE)
        n = min(n, total - pos)
        out[pos : pos + n] += _syllable(rng, n, f0 * rng.uniform(0.9, 1.12))
        pos += n
        if rng.random() < 0.3:  # fricative
            m = min(int(rng.uniform(0.04, 0.1) * RATE), total - pos)
            noise = np.diff(rng.standard_normal(m + 1)) * 0.15
            out[pos : pos + m] += noise * np.hanning(m)
            pos += m
        if rng.random() < 0.2:  # pause between words
            pos += int(rng.uniform(0.08, 0.35) * RATE)
    out += 0.002 * rng.standard_normal(total)  # room noise floor
    peak = float(np.max(np.abs(out))) or 1.0
    return (out / peak * rng.uniform(0.3, 0.8)).astype(np.float32)


class ClipPool:
    """A few distinct synthetic clips; ``variant(i)`` makes request ``i``'s bytes unique.

    The last two samples carry the request number, so every upload has its own SHA-256 (as
    real traffic does) while generating audio once.
    """

    def __init__(self, count: int = 24, seconds: float = 4.0) -> None:
        self.clips = [encode_wav_pcm16(synth_speech(1000 + i, seconds), RATE) for i in range(count)]

    def variant(self, i: int) -> bytes:
        clip = bytearray(self.clips[i % len(self.clips)])
        clip[-4:] = struct.pack("<I", i & 0xFFFFFFFF)
        return bytes(clip)


# --------------------------------------------------------------------------------------------
# Throw-away databases and data dirs
# --------------------------------------------------------------------------------------------


def pg_available(url: str = PG_SERVER) -> str | None:
    """None when PostgreSQL answers, else the reason."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "skip PostgreSQL"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@dataclass
class Device:
    account_ref: str
    serial: str
    token: str


@dataclass
class BenchEnv:
    """One data dir (and, for PostgreSQL, one schema) migrated and populated with devices."""

    backend: str
    data_dir: Path
    database_url: str
    schema: str | None = None
    devices: list[Device] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VOXGUARD_")}
        env["VOXGUARD_DATA_DIR"] = str(self.data_dir)
        env["VOXGUARD_DATABASE_URL"] = self.database_url
        return env


@contextlib.contextmanager
def bench_env(
    backend: str, *, accounts: int = 8, devices_per_account: int = 2, label: str = "run"
) -> Iterator[BenchEnv]:
    """A migrated database with devices; removed (schema dropped, dir deleted) on exit."""
    import sqlalchemy as sa

    from voxguard.config import Settings
    from voxguard.consent.service import change_consent, get_account
    from voxguard.db import migrate
    from voxguard.ingest.devices import add_device
    from voxguard.runtime import build_runtime

    data_dir = Path(tempfile.mkdtemp(prefix=f"voxguard-bench-{backend}-{label}-"))
    schema: str | None = None
    admin = None
    try:
        if backend == "sqlite":
            url = f"sqlite:///{data_dir / 'voxguard.db'}"
        else:
            schema = f"vgbench_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(PG_SERVER)
            with admin.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
        migrate.upgrade(url)
        env = BenchEnv(backend, data_dir, url, schema)
        # Building the runtime once creates the master key file before any server worker starts.
        rt = build_runtime(Settings(data_dir=data_dir, database_url=url))
        try:
            with rt.db.session() as session:
                for a in range(accounts):
                    ref = f"BENCH-{a:03d}"
                    for d in range(devices_per_account):
                        created = add_device(
                            session,
                            account_ref=ref,
                            serial=f"SN-{a:03d}-{d}",
                            region="eu",
                            defaults=rt.consent_defaults,
                            vault=rt.vault,
                            actor="bench",
                        )
                        env.devices.append(Device(ref, f"SN-{a:03d}-{d}", created.token))
                    if a % 2 == 0:  # half the accounts opted in to review: sampling runs fully
                        change_consent(
                            session,
                            get_account(session, ref),
                            review="opted_in",
                            store=None,
                            source="bench",
                            actor="bench",
                        )
        finally:
            rt.close()
        yield env
    finally:
        if admin is not None and schema is not None:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


def metadata(device: Device, utterance_id: str, i: int) -> dict[str, Any]:
    return {
        "utterance_id": utterance_id,
        "account_ref": device.account_ref,
        "device_serial": device.serial,
        "recorded_at": "2026-11-25T10:00:00+00:00",
        "locale": "en-us",
        "device_type": "smart_speaker",
        "asr_text": "set an alarm for seven tomorrow morning",
        "asr_confidence": round(0.35 + (i % 64) / 100, 2),  # some below the boost threshold
        "intent": "alarm_set",
        "wake_score": 0.91,
    }


def multipart_body(meta: dict[str, Any], audio: bytes, boundary: str) -> bytes:
    b = boundary.encode()
    buf = io.BytesIO()
    buf.write(b"--" + b + b'\r\nContent-Disposition: form-data; name="metadata"\r\n')
    buf.write(b"Content-Type: application/json\r\n\r\n" + json.dumps(meta).encode() + b"\r\n")
    buf.write(b"--" + b + b'\r\nContent-Disposition: form-data; name="audio"; filename="u.wav"\r\n')
    buf.write(b"Content-Type: audio/wav\r\n\r\n" + audio + b"\r\n--" + b + b"--\r\n")
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def process_tree(root: int) -> list[int]:
    """``root`` and all its live descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if os.path.exists(f"/proc/{pid}"):
            found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(pids: Sequence[int]) -> dict[str, float]:
    """VmHWM (peak resident set) per process, their sum and their maximum, in MB."""
    per = {pid: _status_kb(pid, "VmHWM") / 1024 for pid in pids}
    return {
        "sum_mb": round(sum(per.values()), 1),
        "max_mb": round(max(per.values(), default=0.0), 1),
        "per_process_mb": {str(k): round(v, 1) for k, v in per.items()},
    }


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / ticks


def kill_group(proc: subprocess.Popen[Any], grace_s: float = 10.0) -> None:
    """Stop a process started with start_new_session=True and everything it spawned."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    # Children (uvicorn workers) share the group; make sure none outlives the leader.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)


def wait_for_log(
    path: Path, needle: str, count: int, proc: subprocess.Popen[Any], timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if text.count(needle) >= count:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{text[-3000:]}")
        time.sleep(0.1)
    raise RuntimeError(
        f"server not ready after {timeout_s} s:\n{path.read_text(errors='replace')[-3000:]}"
    )


# --------------------------------------------------------------------------------------------
# Machine load and servers (added for bench/review_load.py; the functions above are unchanged)
# --------------------------------------------------------------------------------------------


def machine_busy_s() -> float:
    """CPU-seconds all cores have been busy since boot (to tell the load of other processes)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (at most ``max_wait_s``) until the machine uses < ``threshold`` cores; return the
    load seen last, in cores. The machine is shared: a busy neighbour skews the figures."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before = machine_busy_s()
        time.sleep(1.0)
        load = machine_busy_s() - before
        if load < threshold or time.monotonic() >= deadline:
            return round(load, 2)
        time.sleep(2.0)


@dataclass
class RunningServer:
    proc: subprocess.Popen[Any]
    port: int
    workers: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        return process_tree(self.proc.pid)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


@contextlib.contextmanager
def voxguard_server(
    env: dict[str, str],
    workers: int,
    *,
    startup_timeout_s: float = 120.0,
    extra_args: Sequence[str] = (),
) -> Iterator[RunningServer]:
    """``uvicorn --factory voxguard.web.asgi:app_from_settings`` on 127.0.0.1 in its own process
    group (access log off; ``extra_args`` appended); stopped with everything it spawned on exit."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="voxguard-bench-server-"))
    log_path = log_dir / "server.log"
    command = [
        *os.environ.get("BENCH_WRAP", "").split(),
        str(VENV_BIN / "uvicorn"), "--factory", "voxguard.web.asgi:app_from_settings",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "info", "--no-access-log", *extra_args,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=env, cwd=log_dir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_log(log_path, "Application startup complete.", workers, proc, startup_timeout_s)
        yield RunningServer(proc, port, workers, log_path)
    finally:
        kill_group(proc)
        shutil.rmtree(log_dir, ignore_errors=True)


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if len(values) else None

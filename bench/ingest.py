"""Ingest throughput and memory: HTTP API and ``voxguard ingest``, on SQLite and PostgreSQL.

For each database the benchmark builds a fresh data dir (and, on PostgreSQL, a fresh schema in
database ``test`` on 127.0.0.1:5432, dropped at the end), migrates it, creates accounts and
devices through the real services, and then:

- HTTP: starts ``uvicorn --factory voxguard.web.asgi:app_from_settings --workers N`` as its own
  process group and posts 4 s 16 kHz mono 16-bit WAV clips of synthetic speech (every body
  unique) with valid metadata, a bounded number of requests in flight (default 16), from a
  minimal asyncio HTTP/1.1 client (``--client httpx`` uses httpx, which tops out at ~250
  uploads/s here and so measures itself). Phases: N utterances (warm-up; peak RSS read), the
  timed count (utterances/s, p50/p99 latency, errors), then more until 10×N (peak RSS read
  again: flat memory keeps the ratio ~1).
- CLI: ``voxguard ingest FOLDER --device-token T`` on a folder of N/10 files, then N files;
  utterances/s of the larger run and the peak RSS of each (from wait4).
- Baseline "raw uvicorn echo": the same uvicorn options serving ``bench/_echo_app.py``, which
  reads the same multipart body and answers 201: the ceiling of server + client on this machine.

Before each run it waits (bounded) for the machine to be quiet, and it reports the CPU other
processes used meanwhile: on a shared machine utt/s drop, CPU ms per utterance hardly moves.
Peak RSS is VmHWM from /proc for every process of the server's group (master and workers).
Results are printed as a table and saved to bench/results/ingest-<timestamp>.json.

Run: ``.venv/bin/python bench/ingest.py [--quick]`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

from _common import (  # type: ignore[import-not-found]  # bench/ is a folder of scripts
    PG_SERVER,
    PROJECT_ROOT,
    VENV_BIN,
    BenchEnv,
    ClipPool,
    Device,
    bench_env,
    cpu_seconds,
    free_port,
    kill_group,
    machine_busy_s,
    metadata,
    multipart_body,
    peak_rss_mb,
    pg_available,
    process_tree,
    wait_for_log,
    wait_until_quiet,
)

TARGET_SQLITE_HTTP = 200.0  # utterances/s over HTTP on SQLite (issue 2, item 12)
FLAT_RATIO = 1.20  # peak RSS after 10×N may exceed that after N by at most 20 %
UPLOAD_PATH = "/api/v1/utterances"
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
LOAD_AT_START: tuple[float, float, float] | None = None
# Wide enough for the table when the output is a file or a pipe.
console = Console(width=None if sys.stdout.isatty() else 180)

try:  # the load generator needs less CPU on uvloop, leaving more of the 2 cores to the server
    from uvloop import run as _run_async
except ImportError:
    _run_async = asyncio.run


@dataclass
class Config:
    mem_n: int  # utterances before the first memory reading (also the warm-up)
    timed: int  # utterances in the timed phase
    cli_n: int  # files in the larger CLI run (the smaller one has cli_n // 10)
    concurrency: int
    workers: list[int]
    backends: list[str]
    max_phase_s: float
    client: str
    quiet_wait_s: float
    echo: bool
    cli: bool


@dataclass
class Phase:
    count: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float | None:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else None


# ------------------------------------------------------------------------------------- HTTP


class RawPoster:
    """A minimal HTTP/1.1 keep-alive client on one connection (the default load generator).

    httpx spends ~2 ms of CPU per 128 KB upload here and its throughput falls as requests in
    flight grow (about 250/s at 16 in flight against the echo server on this machine), so it
    would measure itself. This client sends each request with a single write and reads the
    Content-Length (or chunked) answer, for a fraction of that CPU.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            data = bytearray()
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                data += await self.reader.readexactly(size + 2)
                del data[-2:]
            await self.reader.readline()
            answer = bytes(data)
        elif length is not None:
            answer = await self.reader.readexactly(length)
        else:
            answer, close = await self.reader.read(), True
        if close:
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxPoster:
    """The same interface over a shared httpx.AsyncClient (``--client httpx``)."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self.client, self.base = client, base

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        response = await self.client.post(self.base + path, content=body, headers=headers)
        return response.status_code, response.content

    async def close(self) -> None:
        return None


async def _drive(
    make_poster: Any,
    devices: list[Device],
    pool: ClipPool,
    *,
    start: int,
    count: int,
    concurrency: int,
    run_id: str,
    max_s: float,
    expect_stored: bool,
) -> Phase:
    phase = Phase()
    boundary = "vgbench" + uuid.uuid4().hex
    content_type = f"multipart/form-data; boundary={boundary}"
    next_index = start
    stop_at = start + count
    deadline = time.monotonic() + max_s

    async def worker() -> None:
        nonlocal next_index
        poster = make_poster()
        try:
            while next_index < stop_at:
                if time.monotonic() > deadline:
                    phase.timed_out = True
                    return
                i = next_index
                next_index += 1
                device = devices[i % len(devices)]
                meta = metadata(device, f"{run_id}-{i:07d}", i)
                body = multipart_body(meta, pool.variant(i), boundary)
                headers = {"Content-Type": content_type, "Authorization": f"Bearer {device.token}"}
                t0 = time.perf_counter()
                try:
                    status, answer = await poster.post(UPLOAD_PATH, body, headers)
                    # voxguard must answer a new record that was stored; the echo answers 201 only.
                    ok = status == 201 and (not expect_stored or json.loads(answer)["stored"])
                    problem = f"{status}: {answer[:200].decode(errors='replace')}"
                except (OSError, ValueError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
                    await poster.close()
                    ok, problem = False, f"{type(exc).__name__}: {exc}"
                except KeyError:
                    ok, problem = False, f"{status}: answer without 'stored': {answer[:200]!r}"
                phase.latencies_ms.append((time.perf_counter() - t0) * 1000)
                phase.count += 1
                if not ok:
                    phase.errors += 1
                    if len(phase.error_samples) < 5:
                        phase.error_samples.append(problem)
        finally:
            await poster.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.seconds = time.perf_counter() - t0
    return phase


def _server_command(kind: str, port: int, workers: int) -> list[str]:
    target = (
        ["--factory", "voxguard.web.asgi:app_from_settings"]
        if kind == "voxguard"
        else ["--app-dir", str(BENCH_DIR), "_echo_app:app"]
    )
    # Same options for voxguard and the echo baseline; info level only for the start-up line
    # we wait for, with the per-request access log off.
    return [
        str(VENV_BIN / "uvicorn"), *target, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "info", "--no-access-log",
    ]  # fmt: skip


def run_http(
    kind: str,
    env: BenchEnv | None,
    workers: int,
    devices: list[Device],
    pool: ClipPool,
    cfg: Config,
) -> dict[str, Any]:
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="voxguard-bench-log-"))
    log_path = log_dir / "server.log"
    process_env = (
        env.env if env else {k: v for k, v in os.environ.items() if not k.startswith("VOXGUARD_")}
    )
    run_id = f"{kind}{workers}-{uuid.uuid4().hex[:6]}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            _server_command(kind, port, workers), env=process_env, cwd=log_dir,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_log(log_path, "Application startup complete.", workers, proc, timeout_s=120)
        ten_n = 10 * cfg.mem_n
        rest = max(0, ten_n - cfg.mem_n - cfg.timed)

        async def all_phases() -> dict[str, Any]:
            limits = httpx.Limits(
                max_connections=cfg.concurrency, max_keepalive_connections=cfg.concurrency
            )
            async with httpx.AsyncClient(limits=limits, timeout=120) as client:
                if cfg.client == "httpx":

                    def make_poster() -> Any:
                        return HttpxPoster(client, f"http://127.0.0.1:{port}")
                else:

                    def make_poster() -> Any:
                        return RawPoster("127.0.0.1", port)

                common = dict(
                    concurrency=cfg.concurrency,
                    run_id=run_id,
                    max_s=cfg.max_phase_s,
                    expect_stored=kind == "voxguard",
                )
                warm = await _drive(make_poster, devices, pool, start=0, count=cfg.mem_n, **common)
                rss_n = peak_rss_mb(process_tree(proc.pid))
                cpu0, client_cpu0 = cpu_seconds(process_tree(proc.pid)), time.process_time()
                busy0 = machine_busy_s()
                timed = await _drive(
                    make_poster, devices, pool, start=cfg.mem_n, count=cfg.timed, **common
                )
                server_cpu = cpu_seconds(process_tree(proc.pid)) - cpu0
                client_cpu = time.process_time() - client_cpu0
                busy = machine_busy_s() - busy0
                tail = await _drive(
                    make_poster, devices, pool, start=cfg.mem_n + cfg.timed, count=rest, **common
                )
                rss_10n = peak_rss_mb(process_tree(proc.pid))
                return {
                    "warm": warm, "timed": timed, "tail": tail, "rss_n": rss_n, "rss_10n": rss_10n,
                    "server_cpu_s": server_cpu, "client_cpu_s": client_cpu,
                    "other_cpu_s": max(0.0, busy - server_cpu - client_cpu),
                }  # fmt: skip

        out = _run_async(all_phases())
    finally:
        kill_group(proc)
        log_text = log_path.read_text(errors="replace")
        shutil.rmtree(log_dir, ignore_errors=True)
    warm, timed, tail = out["warm"], out["timed"], out["tail"]
    errors = warm.errors + timed.errors + tail.errors
    total = warm.count + timed.count + tail.count
    return {
        "backend": env.backend if env else "none",
        "path": "HTTP" if kind == "voxguard" else "raw uvicorn echo",
        "workers": workers,
        "concurrency": cfg.concurrency,
        "utterances_timed": timed.count,
        "seconds_timed": round(timed.seconds, 3),
        "utt_per_s": round(timed.rate, 1),
        "p50_ms": _r(timed.pct(50)),
        "p99_ms": _r(timed.pct(99)),
        "errors": errors,
        "utterances_total": total,
        "timed_out": warm.timed_out or timed.timed_out or tail.timed_out,
        "error_samples": (warm.error_samples + timed.error_samples + tail.error_samples)[:5],
        "client": cfg.client,
        "server_cpu_ms_per_utt": _per(out["server_cpu_s"], timed.count),
        "client_cpu_ms_per_utt": _per(out["client_cpu_s"], timed.count),
        # Cores kept busy by everything else on the machine during the timed phase.
        "other_load_cores": round(out["other_cpu_s"] / timed.seconds, 2) if timed.seconds else None,
        "peak_rss_mb_at_n": out["rss_n"]["sum_mb"],
        "peak_rss_mb_at_10n": out["rss_10n"]["sum_mb"],
        "n": warm.count,
        "ten_n": total,
        "rss_ratio": _ratio(out["rss_10n"]["sum_mb"], out["rss_n"]["sum_mb"]),
        "rss_detail": {"at_n": out["rss_n"], "at_10n": out["rss_10n"]},
        "server_log_tail": log_text[-1500:] if errors else "",
    }


# -------------------------------------------------------------------------------------- CLI


def _cli_once(
    env: BenchEnv, pool: ClipPool, count: int, label: str, max_s: float
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"voxguard-bench-cli-{label}-"))
    out_path = folder.with_suffix(".out")
    try:
        for i in range(count):
            (folder / f"{label}-{i:07d}.wav").write_bytes(pool.variant(i))
        token = env.devices[0].token
        command = [str(VENV_BIN / "voxguard"), "ingest", str(folder), "--device-token", token]
        t0, busy0 = time.perf_counter(), machine_busy_s()
        with out_path.open("wb") as out:
            proc = subprocess.Popen(
                command, env=env.env, cwd=folder.parent, stdout=out, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        try:
            # wait4 gives this child's own peak RSS (ru_maxrss, KB on Linux) and CPU time.
            deadline = time.monotonic() + max_s
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"voxguard ingest of {count} files took over {max_s} s")
                time.sleep(0.02)
        finally:
            if proc.returncode is None:
                kill_group(proc)
        seconds, busy = time.perf_counter() - t0, machine_busy_s() - busy0
        text = out_path.read_text(errors="replace")
        stored = _stored(text)
        cpu = usage.ru_utime + usage.ru_stime
        return {
            "files": count, "seconds": seconds, "returncode": proc.returncode, "stored": stored,
            "errors": count - stored, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": cpu, "other_load_cores": round(max(0.0, busy - cpu) / seconds, 2),
            "output": text[-500:],
        }  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        out_path.unlink(missing_ok=True)


def _stored(text: str) -> int:
    # "stored 123 (4 sampled), already present 0, ..."
    for line in text.splitlines():
        if line.startswith("stored "):
            with contextlib.suppress(ValueError):
                return int(line.split()[1])
    return 0


def run_cli(env: BenchEnv, pool: ClipPool, cfg: Config) -> dict[str, Any]:
    small = _cli_once(env, pool, max(1, cfg.cli_n // 10), "small", cfg.max_phase_s)
    large = _cli_once(env, pool, cfg.cli_n, "large", cfg.max_phase_s)
    # The marginal rate leaves out the fixed start-up cost (imports, schema check).
    extra_files, extra_s = large["files"] - small["files"], large["seconds"] - small["seconds"]
    marginal = extra_files / extra_s if extra_s > 0 and extra_files > 0 else None
    return {
        "backend": env.backend,
        "path": "CLI ingest",
        "workers": 1,
        "concurrency": 1,
        "client": None,
        "utterances_timed": large["files"],
        "seconds_timed": round(large["seconds"], 3),
        "utt_per_s": round(large["files"] / large["seconds"], 1),
        "utt_per_s_marginal": _r(marginal),
        "startup_s_estimate": _r(small["seconds"] - small["files"] / marginal, 2)
        if marginal
        else None,
        "p50_ms": None,
        "p99_ms": None,
        "errors": small["errors"] + large["errors"],
        "utterances_total": small["files"] + large["files"],
        "timed_out": False,
        "error_samples": [r["output"] for r in (small, large) if r["errors"] or r["returncode"]],
        "server_cpu_ms_per_utt": _per(large["cpu_s"], large["files"]),  # the CLI process itself
        "client_cpu_ms_per_utt": None,
        "other_load_cores": large["other_load_cores"],
        "peak_rss_mb_at_n": small["peak_rss_mb"],
        "peak_rss_mb_at_10n": large["peak_rss_mb"],
        "n": small["files"],
        "ten_n": large["files"],
        "rss_ratio": _ratio(large["peak_rss_mb"], small["peak_rss_mb"]),
    }


# ------------------------------------------------------------------------------------ report


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _per(seconds: float, count: int) -> float | None:
    return round(1000 * seconds / count, 2) if count else None


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _fmt(value: Any, spec: str = "") -> str:
    return "–" if value is None else format(value, spec)


def render(rows: list[dict[str, Any]]) -> Table:
    echo = {r["workers"]: r["utt_per_s"] for r in rows if r["path"] == "raw uvicorn echo"}
    table = Table(title="voxguard ingest: 4 s 16 kHz mono 16-bit WAV per utterance")
    for name in (
        "backend", "path", "workers", "utt/s", "% echo", "p50 ms", "p99 ms", "errors",
        "CPU ms/utt", "other load", "peak RSS MB: N → 10×N (ratio)", "verdict",
    ):  # fmt: skip
        table.add_column(
            name, justify="left" if name in ("backend", "path", "verdict") else "right"
        )
    for r in rows:
        share = "–"
        if r["path"] == "HTTP" and echo.get(r["workers"]):
            share = f"{100 * r['utt_per_s'] / echo[r['workers']]:.0f}%"
        verdicts = []
        if r["path"] == "HTTP" and r["backend"] == "sqlite":
            ok = r["utt_per_s"] >= TARGET_SQLITE_HTTP and r["errors"] == 0
            verdicts.append(f"{'PASS' if ok else 'FAIL'} ≥{TARGET_SQLITE_HTTP:.0f}/s")
        if r["path"] != "raw uvicorn echo" and r["rss_ratio"] is not None:
            verdicts.append("memory flat" if r["rss_ratio"] <= FLAT_RATIO else "memory GROWS")
        if r["errors"]:
            verdicts.append("ERRORS")
        if r["timed_out"]:
            verdicts.append("TIMED OUT")
        memory = (
            f"{_fmt(r['peak_rss_mb_at_n'], '.0f')} @{r['n']} → "
            f"{_fmt(r['peak_rss_mb_at_10n'], '.0f')} @{r['ten_n']} ({_fmt(r['rss_ratio'], '.2f')})"
        )
        table.add_row(
            r["backend"], r["path"], str(r["workers"]), _fmt(r["utt_per_s"], ".1f"), share,
            _fmt(r["p50_ms"], ".1f"), _fmt(r["p99_ms"], ".1f"), str(r["errors"]),
            _fmt(r["server_cpu_ms_per_utt"], ".1f"), _fmt(r["other_load_cores"], ".2f"), memory,
            ", ".join(verdicts),
        )  # fmt: skip
    table.caption = (
        "CPU ms/utt: server processes (CLI: the voxguard process) per utterance in the timed "
        "phase. other load: cores busy with other processes meanwhile (should be ~0). "
        "Peak RSS: VmHWM summed over the server's processes."
    )
    return table


def save(rows: list[dict[str, Any]], cfg: Config, notes: list[str], started: datetime) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"ingest-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    sqlite_http = [r["utt_per_s"] for r in rows if r["path"] == "HTTP" and r["backend"] == "sqlite"]
    document = {
        "benchmark": "ingest",
        "started_at": started.isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": LOAD_AT_START,
        },
        "config": cfg.__dict__,
        "clip": {"seconds": 4.0, "sample_rate": 16_000, "format": "WAV PCM_16 mono"},
        "targets": {
            "sqlite_http_utt_per_s": TARGET_SQLITE_HTTP,
            "sqlite_http_best": max(sqlite_http, default=None),
            "sqlite_http_pass": bool(sqlite_http) and max(sqlite_http) >= TARGET_SQLITE_HTTP,
            "memory_flat_ratio_max": FLAT_RATIO,
        },
        "notes": notes,
        "rows": rows,
    }
    path.write_text(json.dumps(document, indent=2))
    return path


# -------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts (a few minutes)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts, e.g. 1,2")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw",
        help="load generator: a minimal asyncio HTTP/1.1 client (default) or httpx",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=None,
        help="seconds to wait before each run for other processes to leave the CPUs idle "
        "(default 30, with --quick 5)",
    )
    parser.add_argument("--max-phase-seconds", type=float, default=600.0)
    parser.add_argument("--no-echo", action="store_true", help="skip the echo baseline")
    parser.add_argument("--no-cli", action="store_true", help="skip the voxguard ingest runs")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if not workers or any(not 1 <= w <= 8 for w in workers):
        parser.error("--workers takes numbers between 1 and 8")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not set(backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends takes sqlite and/or postgresql")
    mem_n, timed, cli_n = (100, 300, 300) if args.quick else (500, 2000, 2000)
    quiet_wait = args.quiet_wait if args.quiet_wait is not None else (5.0 if args.quick else 30.0)
    return Config(
        mem_n=mem_n,
        timed=timed,
        cli_n=cli_n,
        concurrency=args.concurrency,
        workers=workers,
        backends=backends,
        max_phase_s=args.max_phase_seconds,
        client=args.client,
        quiet_wait_s=quiet_wait,
        echo=not args.no_echo,
        cli=not args.no_cli,
    )


def main(argv: list[str] | None = None) -> int:
    global LOAD_AT_START
    cfg = parse_args(argv)
    LOAD_AT_START = os.getloadavg()
    started = datetime.now(UTC)
    # SIGTERM runs the finally blocks (servers and schemas cleaned up) like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.chdir(PROJECT_ROOT)
    console.print("generating synthetic speech clips …")
    pool = ClipPool()
    rows: list[dict[str, Any]] = []
    notes: list[str] = []

    def quiet() -> float:
        load = wait_until_quiet(cfg.quiet_wait_s)
        if load >= 0.3:
            console.print(
                f"[yellow]  other processes keep {load:.1f} cores busy; figures will suffer[/]"
            )
        return load

    def record(row: dict[str, Any], load_before: float) -> None:
        row["other_load_cores_before"] = load_before
        rows.append(row)
        console.print(
            f"  {row['backend']:<10} {row['path']:<17} w={row['workers']} "
            f"{row['utt_per_s']:>7.1f} utt/s  p50 {_fmt(row['p50_ms'])} ms  "
            f"p99 {_fmt(row['p99_ms'])} ms  errors {row['errors']}  "
            f"RSS {row['peak_rss_mb_at_n']} -> {row['peak_rss_mb_at_10n']} MB"
        )
        for sample in row.get("error_samples", [])[:3]:
            console.print(f"    [red]error:[/] {sample}")

    if cfg.echo:
        dummy = [Device("BENCH-000", "SN-000-0", "echo")]
        for workers in cfg.workers:
            console.print(f"raw uvicorn echo, {workers} worker(s) …")
            load = quiet()
            record(run_http("echo", None, workers, dummy, pool, cfg), load)
    for backend in cfg.backends:
        if backend == "postgresql":
            reason = pg_available()
            if reason:
                note = f"PostgreSQL skipped: {PG_SERVER} not reachable ({reason})"
                notes.append(note)
                console.print(f"[yellow]{note}[/]")
                continue
        for workers in cfg.workers:
            console.print(f"{backend}: HTTP, {workers} worker(s) …")
            with bench_env(backend, label=f"http{workers}") as env:
                load = quiet()
                record(run_http("voxguard", env, workers, env.devices, pool, cfg), load)
        if cfg.cli:
            console.print(f"{backend}: voxguard ingest (CLI) …")
            with bench_env(backend, label="cli") as env:
                load = quiet()
                record(run_cli(env, pool, cfg), load)

    console.print(render(rows))
    sqlite_http = [r for r in rows if r["path"] == "HTTP" and r["backend"] == "sqlite"]
    if sqlite_http:
        best = max(sqlite_http, key=lambda r: r["utt_per_s"])
        ok = best["utt_per_s"] >= TARGET_SQLITE_HTTP and best["errors"] == 0
        console.print(
            f"target ≥{TARGET_SQLITE_HTTP:.0f} utterances/s over HTTP on SQLite: "
            f"{'[green]PASS[/]' if ok else '[red]FAIL[/]'} (best {best['utt_per_s']:.1f}/s with "
            f"{best['workers']} worker(s), {os.cpu_count()} CPUs)"
        )
        # CPU time per utterance is what the figure is made of; unlike utt/s it barely depends
        # on what else runs on the machine.
        per_utt = (best["server_cpu_ms_per_utt"] or 0) + (best["client_cpu_ms_per_utt"] or 0)
        if per_utt:
            console.print(
                f"server {best['server_cpu_ms_per_utt']:.1f} + client "
                f"{best['client_cpu_ms_per_utt']:.1f} ms CPU per utterance: at most "
                f"{1000 * (os.cpu_count() or 1) / per_utt:.0f} utt/s even with every core idle "
                "and perfect scaling"
            )
        busy = [r for r in rows if (r.get("other_load_cores") or 0) >= 0.3]
        if busy:
            console.print(
                f"[yellow]note:[/] other processes kept ≥0.3 cores busy during {len(busy)} of "
                f"{len(rows)} runs (column 'other load'); their utt/s are lower than on an idle "
                "machine"
            )
    for note in notes:
        console.print(note)
    path = save(rows, cfg, notes, started)
    console.print(f"saved {path.relative_to(PROJECT_ROOT)}")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Review workbench under load: N reviewers doing lease → audio fetch → submit over HTTP.

For each database (SQLite, and PostgreSQL in database ``test`` on 127.0.0.1:5432 in a fresh
schema that is dropped at the end) and each uvicorn worker count (1 and 2), this benchmark:

1. Builds a review backlog. Running the privacy pipeline (ASR, PII, bleeps, voice anonymization)
   for thousands of clips would take hours, so it runs ONCE per benchmark on a handful of real
   short commands spoken by espeak-ng (``voxguard.demo.speech``): each is uploaded through the real
   ingest service (``ingest_upload``, sampling rate 1.0) and turned into a review copy by the real
   worker (``voxguard.processing.worker.work``). Those review copies (anonymized WAV, redacted
   draft, redaction spans) are the templates. THE SHORTCUT: review-ready clips are then created
   directly, in big transactions, through the real services where it matters: accounts and
   devices with ``add_device`` (account data key, consent record ``opted_in``, audit events), an
   ``Utterance`` row in state ``ready_for_review`` with a template's draft and spans, its
   ``review_copy`` blob sealed with ``Vault.put`` (real AES-GCM encryption of the template's
   audio under that account's key, written to the blob store) and ``reviewers_per_clip`` review
   tasks from ``voxguard.work.enqueue(queue="review", kind="review")`` — exactly the rows the
   pipeline's last step writes. Skipped: the original-audio blob and the sampling decision, which
   review never reads. Clips are spread over many accounts (at most 3 clips each), so the real
   default cap of K=3 clips per account per reviewer per 30 days is kept and never starves a
   reviewer; it is still evaluated by every claim. A few gold clips (``add_gold`` by a lead) are
   added so that the real 5 % gold mix-in runs too.
2. Creates reviewers with ``create_user`` (argon2id one-time password, sealed TOTP secret), starts
   ``uvicorn --factory voxguard.web.asgi:app_from_settings --workers W`` as its own process
   group on 127.0.0.1, and signs every reviewer in over the API exactly as a person would:
   ``POST /api/v1/auth/login`` with a real TOTP code (pyotp, from the secret that
   ``voxguard.people.service.totp_secret_of`` opens), then ``POST /api/v1/auth/password`` to
   replace the one-time password (the first sign-in requires it). The only server option
   changed from uvicorn's defaults is the idle keep-alive (5 → 75 s, see ``KEEP_ALIVE``).
3. For N = 10, 50 and 200 reviewers, each with its own session cookie, CSRF token and asyncio
   httpx client (one keep-alive connection, as a browser; a single shared client costs O(N) CPU
   per request in httpx's pool and would have measured itself):
   - baseline "GET /healthz": N loops of the bare health route (no auth, no database): the
     ceiling of uvicorn + FastAPI + the load generator on this machine;
   - baseline "lease only": N loops of ``POST /api/v1/review/lease`` while each reviewer holds a
     lease (taken by one untimed call each first), so every timed call returns the held task:
     session lookup, the live-lease query and the task view, no write;
   - "cycle": N loops of lease → ``GET audio_url`` → ``POST …/submit`` for a fixed time (at most
     a fixed number of cycles). The server checks that a clip could have been heard at 1.5×
     speed before submit (audio fetched at least duration/1.5 − 1 s earlier); every clip here is
     at most 1.45 s long, so that bound is 0 and the loops never wait. A 204 from the lease
     (nothing due) stops that reviewer and is counted separately; any other unexpected answer is
     an error.
   - "workbench": the same cycles as the review page runs them: ``POST …/submit?next=true``
     answers with the next task, leased in the same transaction, so a cycle is 2 requests
     (audio, submit + next lease); only each reviewer's first lease is a request of its own
     (timed as "first lease", outside the per-request p99).
   - "shift pace" (largest N only): the same cycles, but each reviewer starts them at random
     (Poisson) times at the pace of 1,000 clips per 9-hour shift, whatever the latency — the
     load 200 real reviewers make (6.2 cycles/s); its latencies are what they would feel.
   Reported: cycles/s, p50/p99 latency per request type and per cycle, errors, 204s, the backlog,
   CPU per cycle of the server processes, of the PostgreSQL backends serving them (found
   through their application_name in pg_stat_activity, CPU read from /proc) and of the load
   generator, and the load other processes put on the machine meanwhile.
4. After both worker counts of a database, the DOUBLE-ASSIGNMENT check over everything that ran
   on it: every annotation has its own work item, exposures are unique per (reviewer, clip), no
   clip was annotated twice by one reviewer, each annotation belongs to the reviewer exposed
   through that task, every task the load generator saw submitted was submitted by one reviewer
   only, and the audit log's ``review.leased`` events never give one task to two reviewers with
   overlapping leases (a lease lasts until its ``lease_seconds`` run out, or until that
   reviewer's ``review.submitted``/``review.skipped`` of it). The audit hash chain is verified too.
   Then the claim statement is captured from the real ``lease_next`` and explained on that
   database (``EXPLAIN ANALYZE`` on PostgreSQL, in a rolled-back transaction; ``EXPLAIN QUERY
   PLAN`` on SQLite).

Target (issue 3, item 8): at 200 reviewers on PostgreSQL at least 300 cycles/s with p99 under
100 ms (the worst p99 of lease, audio and submit), no errors and no double assignment.

Writes bench/results/review-<timestamp>.json and .png (cycles/s and p99 against N).
Run: ``.venv/bin/python bench/review_load.py [--quick]`` (see ``--help``). Everything stays on
this machine: temp directories, a PostgreSQL schema on 127.0.0.1, servers bound to 127.0.0.1;
every loop is bounded in time and count; servers are stopped and schemas dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import itertools
import json
import math
import os
import platform
import random
import secrets
import signal
import ssl
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
from rich.console import Console
from rich.table import Table

from _common import (  # type: ignore[import-not-found]  # bench/ is a folder of scripts
    PG_SERVER,
    PROJECT_ROOT,
    BenchEnv,
    RunningServer,
    bench_env,
    cpu_seconds,
    machine_busy_s,
    percentile,
    pg_available,
    voxguard_server,
    wait_until_quiet,
)

TARGET_CYCLES_PER_S = 300.0
TARGET_P99_MS = 100.0
TARGET_N = 200
TARGET_BACKEND = "postgresql"
REQUEST_TYPES = ("lease", "audio", "submit")
CYCLE_KINDS = ("cycle", "workbench")  # flat out: 3 requests a cycle, or 2 as the review page
TIMED_KINDS = (*CYCLE_KINDS, "paced")
# uvicorn closes idle keep-alive connections after 5 s by default; a reviewer's connection can
# sit idle that long between phases (or while 200 first leases queue), and a request sent as
# the server closes it fails with "Server disconnected". Browsers retry such requests; the load
# generator does not, so the server keeps idle connections as long as a typical proxy does.
KEEP_ALIVE = ("--timeout-keep-alive", "75")
MAX_CLIP_S = 1.45  # ≤ 1.5 s: the "heard at 1.5× speed" check then asks for no waiting
# A reviewer's real pace (issue 3): well over 1,000 clips in a 9-hour shift.
SHIFT_CLIPS = 1000
SHIFT_SECONDS = 9 * 3600
CLIPS_PER_ACCOUNT = 3
GOLD_CLIPS = 40
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
console = Console(width=None if sys.stdout.isatty() else 200)

# Short commands, some with names (so the pipeline's PII step tags and bleeps them).
PHRASES = (
    ("call Anna", "calling_call"),
    ("set an alarm for seven", "alarm_set"),
    ("play some jazz", "play_music"),
    ("call David Miller", "calling_call"),
    ("what is the weather", "weather_query"),
    ("turn off the lights", "iot_hue_lightoff"),
    ("text Maria now", "social_post"),
    ("stop the music", "audio_volume_mute"),
)

try:  # the load generator needs less CPU on uvloop, leaving more of the 2 cores to the server
    from uvloop import run as _run_async
except ImportError:
    _run_async = asyncio.run


@dataclass
class Config:
    quick: bool
    levels: list[int]
    workers: list[int]
    backends: list[str]
    cycle_s: float  # length of each cycle phase
    baseline_s: float  # length of each baseline phase
    paced_s: float  # length of the shift-paced phase at the largest N (0: none)
    max_rate: float  # cycles/s the backlog is sized for; also caps cycles per phase
    quiet_wait_s: float
    templates: int
    flows: list[str]  # flat-out cycle kinds, in order


# ------------------------------------------------------------------------------ templates


@dataclass(frozen=True)
class Template:
    wav: bytes  # the anonymized, bleeped review copy (16 kHz mono PCM)
    duration_s: float
    draft_text: str
    redactions: list[dict[str, Any]]
    intent: str
    spoken: str


def make_templates(count: int) -> list[Template]:
    """Real review copies: espeak-ng commands through the real ingest and privacy pipeline."""
    from sqlalchemy import select

    from voxguard.audio import encode_wav_pcm16
    from voxguard.config import Settings
    from voxguard.db.models import Blob, Utterance
    from voxguard.demo import speech
    from voxguard.ingest.devices import add_device
    from voxguard.ingest.service import ingest_upload
    from voxguard.processing.worker import work
    from voxguard.runtime import build_runtime

    templates: list[Template] = []
    with bench_env("sqlite", accounts=0, label="templates") as env:
        settings = Settings(
            data_dir=env.data_dir,
            database_url=env.database_url,
            sampling_rate=1.0,
            review_consent_default="opted_in",
        )
        rt = build_runtime(settings)
        try:
            with rt.db.session() as session:
                device = add_device(
                    session, account_ref="TEMPLATES", serial="SN-T", region="eu",
                    defaults=rt.consent_defaults, vault=rt.vault, actor="bench",
                )  # fmt: skip
            intents: dict[str, tuple[str, str]] = {}
            for i in range(count):
                text, intent = PHRASES[i % len(PHRASES)]
                samples, rate = speech.synthesize(text, speech.DEMO_VOICES[i % 6], 190)
                samples = samples[: int(MAX_CLIP_S * rate)]
                meta = {
                    "utterance_id": f"tpl-{i}",
                    "account_ref": "TEMPLATES",
                    "device_serial": "SN-T",
                    "recorded_at": "2026-11-25T10:00:00+00:00",
                    "locale": "en-us",
                    "device_type": "smart_speaker",
                    "asr_text": text,
                    "asr_confidence": 0.9,
                    "intent": intent,
                }
                result = ingest_upload(
                    rt.db, rt.vault, rt.settings, token=device.token,
                    metadata_raw=json.dumps(meta).encode(), audio=encode_wav_pcm16(samples, rate),
                )  # fmt: skip
                if not result.sampled or result.id is None:
                    raise RuntimeError(f"template upload {i} was not sampled: {result}")
                intents[result.id] = (intent, text)
            work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
            with rt.db.read() as session:
                for utterance_id, (intent, text) in intents.items():
                    utterance = session.get(Utterance, utterance_id)
                    blob = session.execute(
                        select(Blob).where(
                            Blob.utterance_id == utterance_id, Blob.kind == "review_copy"
                        )
                    ).scalar_one_or_none()
                    if utterance is None or blob is None or utterance.status != "ready_for_review":
                        raise RuntimeError(f"the pipeline made no review copy of {text!r}")
                    templates.append(
                        Template(
                            wav=rt.vault.get(session, blob),
                            duration_s=utterance.duration_s,
                            draft_text=utterance.draft_text or "",
                            redactions=list(utterance.redactions or []),
                            intent=intent,
                            spoken=text,
                        )
                    )
        finally:
            rt.close()
    return templates


# ------------------------------------------------------------------------------ seeding


@dataclass
class Credentials:
    username: str
    password: str
    totp_secret: str
    cookie: str = ""
    csrf: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"vg_session={self.cookie}", "X-CSRF-Token": self.csrf}


def _pending(rt: Any) -> int:
    from sqlalchemy import func, select

    from voxguard.db.models import WorkItem

    with rt.db.read() as session:
        count: int = session.execute(
            select(func.count())
            .select_from(WorkItem)
            .where(WorkItem.queue == "review", WorkItem.state == "pending")
        ).scalar_one()
    return count


class Seeder:
    """Creates accounts, review-ready clips, gold clips and reviewers directly in the database
    through the real services (see the module docstring for what is skipped and why)."""

    def __init__(self, env: BenchEnv, templates: list[Template]) -> None:
        from voxguard.config import Settings
        from voxguard.runtime import build_runtime

        # Same data dir, database and master key as the server; new accounts start opted in.
        self.rt = build_runtime(
            Settings(
                data_dir=env.data_dir,
                database_url=env.database_url,
                review_consent_default="opted_in",
            )
        )
        self.templates = templates
        self.accounts = 0
        self.clips = 0
        self.run_tag = secrets.token_hex(3)

    def close(self) -> None:
        self.rt.close()

    def pending_review_tasks(self) -> int:
        return _pending(self.rt)

    def add_clips(
        self, count: int, *, tasks: bool = True, batch: int = 300
    ) -> list[tuple[str, Template]]:
        """``count`` review-ready clips over new accounts (≤ CLIPS_PER_ACCOUNT each)."""
        from voxguard import work
        from voxguard.db.base import new_id
        from voxguard.db.models import Utterance
        from voxguard.ingest.devices import add_device

        rt, ids = self.rt, []
        now = datetime.now(UTC)
        for start in range(0, count, batch):
            size = min(batch, count - start)
            with rt.db.session() as session:
                devices = []
                for _ in range(math.ceil(size / CLIPS_PER_ACCOUNT)):
                    ref = f"BENCH-{self.run_tag}-{self.accounts:06d}"
                    created = add_device(
                        session, account_ref=ref, serial=f"SN-{self.accounts:06d}", region="eu",
                        defaults=rt.consent_defaults, vault=rt.vault, actor="bench",
                    )  # fmt: skip
                    devices.append(created.device)
                    self.accounts += 1
                rows = []
                for i in range(size):
                    device = devices[i // CLIPS_PER_ACCOUNT]
                    template = self.templates[self.clips % len(self.templates)]
                    utterance_id = new_id()
                    utterance = Utterance(
                        id=utterance_id,
                        client_utterance_id=f"bench-{self.clips:07d}",
                        account_id=device.account_id,
                        device_id=device.id,
                        recorded_at=now - timedelta(hours=1),
                        received_at=now,
                        expires_at=now + timedelta(days=90),
                        locale="en-us",
                        device_type="smart_speaker",
                        data_region="eu",
                        device_asr_sealed=rt.vault.seal_device_text(
                            session,
                            account_id=device.account_id,
                            utterance_id=utterance_id,
                            text=template.spoken,
                        ),
                        device_asr_confidence=0.9,
                        device_intent=template.intent,
                        wake_score=0.9,
                        duration_s=template.duration_s,
                        audio_sha256=hashlib.sha256(
                            f"{self.run_tag}-{self.clips}".encode()
                        ).hexdigest(),
                        sampled=True,
                        status="ready_for_review" if tasks else "reviewed",
                        draft_text=template.draft_text,
                        redactions=template.redactions,
                    )
                    session.add(utterance)
                    rows.append((utterance, template))
                    self.clips += 1
                session.flush()  # utterance ids exist before their blobs and tasks point at them
                for utterance, template in rows:
                    rt.vault.put(
                        session, account_id=utterance.account_id, utterance_id=utterance.id,
                        kind="review_copy", plaintext=template.wav,
                    )  # fmt: skip
                    if tasks:
                        for _ in range(rt.settings.reviewers_per_clip):
                            work.enqueue(
                                session, queue="review", kind="review",
                                subject_id=utterance.id, account_id=utterance.account_id,
                            )  # fmt: skip
                    ids.append((utterance.id, template))
        return ids

    def top_up(self, target_pending: int) -> int:
        """Add clips until at least ``target_pending`` review tasks are pending; clips added."""
        missing = target_pending - self.pending_review_tasks()
        if missing <= 0:
            return 0
        clips = math.ceil(missing / self.rt.settings.reviewers_per_clip)
        self.add_clips(clips)
        return clips

    def add_gold(self, count: int) -> None:
        from voxguard.people.service import create_user
        from voxguard.review.gold import add_gold

        clips = self.add_clips(count, tasks=False)
        with self.rt.db.session() as session:
            lead, _, _ = create_user(
                session, self.rt.vault, username=f"bench-lead-{self.run_tag}", role="lead",
                region="eu", actor="bench",
            )  # fmt: skip
            for clip_id, template in clips:
                add_gold(
                    session, self.rt.settings, lead, clip_id, template.draft_text, template.intent
                )

    def add_reviewers(self, count: int, prefix: str) -> list[Credentials]:
        from voxguard.people.service import create_user, totp_secret_of

        people = []
        with self.rt.db.session() as session:
            for i in range(count):
                user, password, _uri = create_user(
                    session, self.rt.vault, username=f"{prefix}-{i:03d}", role="reviewer",
                    region="eu", actor="bench",
                )  # fmt: skip
                people.append(
                    Credentials(user.username, password, totp_secret_of(self.rt.vault, user))
                )
        return people


# ------------------------------------------------------------------------------ sign-in


async def sign_in_all(base_url: str, people: list[Credentials], concurrency: int = 8) -> None:
    """Real sign-in for everyone: password + TOTP, then the required password change."""
    gate = asyncio.Semaphore(concurrency)

    async def one(person: Credentials) -> None:
        # A client each: a shared cookie jar would hand one reviewer's cookie to the next
        # sign-in, which (rightly) ends that session.
        async with gate, httpx.AsyncClient(base_url=base_url, timeout=60, verify=_TLS) as client:
            login = await client.post(
                "/api/v1/auth/login",
                json={
                    "username": person.username,
                    "password": person.password,
                    "totp": pyotp.TOTP(person.totp_secret).now(),
                },
            )
            if login.status_code != 200:
                raise RuntimeError(
                    f"sign-in of {person.username}: {login.status_code} {login.text[:300]}"
                )
            new_password = secrets.token_urlsafe(18)
            change = await client.post(
                "/api/v1/auth/password",
                json={"old_password": person.password, "new_password": new_password},
                headers={"X-CSRF-Token": login.json()["csrf_token"]},
            )
            if change.status_code != 200:
                raise RuntimeError(
                    f"password change of {person.username}: "
                    f"{change.status_code} {change.text[:300]}"
                )
            person.password = new_password
            person.cookie = change.cookies["vg_session"]
            person.csrf = change.json()["csrf_token"]

    await asyncio.gather(*(one(p) for p in people))


# ------------------------------------------------------------------------------ load


@dataclass
class PhaseResult:
    kind: str  # cycle | lease_only | healthz
    n: int
    seconds: float = 0.0
    operations: int = 0  # cycles, or requests for the baselines
    errors: int = 0
    no_work: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    error_samples: list[str] = field(default_factory=list)
    submitted: list[tuple[str, str]] = field(default_factory=list)  # (task id, reviewer)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    other_load_cores: float = 0.0
    db_cpu_s: float | None = None  # PostgreSQL backends of this server (SQLite: in-process)
    db_backends: int | None = None

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 8:
            self.error_samples.append(what[:300])

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


_TLS = ssl.create_default_context()


class Budget:
    """A bound on the operations a phase may start, shared by its loops."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


MAX_CONSECUTIVE_ERRORS = 25  # a loop that keeps failing stops instead of spinning


@dataclass
class Handover:
    """The workbench's way: each submit asks for the next task, which this carries over."""

    task: dict[str, Any] | None = None


async def _one_cycle(
    client: httpx.AsyncClient, person: Credentials, result: PhaseResult,
    handover: Handover | None = None,
) -> str:  # fmt: skip
    """lease → audio → submit once: "done", "no_work" (204) or "error" (counted). With a
    ``handover`` the lease is the one the previous submit answered with, when there was one."""
    t0 = time.perf_counter()
    try:
        task = handover.task if handover else None
        if task is None:
            lease = await client.post("/api/v1/review/lease", headers=person.headers)
            if lease.status_code == 204:
                result.no_work += 1
                return "no_work"
            if lease.status_code != 200:
                raise _Bad(f"lease {lease.status_code}: {lease.text[:200]}")
            task = lease.json()
            lease_kind = "first lease" if handover else "lease"
            result.latencies[lease_kind].append((time.perf_counter() - t0) * 1000)
        t1 = time.perf_counter()
        audio = await client.get(task["clip"]["audio_url"], headers=person.headers)
        t2 = time.perf_counter()
        if (
            audio.status_code != 200
            or audio.headers.get("content-type") != "audio/wav"
            or audio.headers.get("cache-control") != "no-store"
            or audio.content[:4] != b"RIFF"
        ):
            raise _Bad(f"audio {audio.status_code}: {audio.text[:200]}")
        # Clips are ≤ 1.45 s, so "heard at 1.5× speed" needs no wait before submitting.
        body = {
            "transcript": task["clip"]["draft_text"],
            "intent": "alarm_set",
            "flags": [],
            "played_to_end": True,
            "seconds_spent": round(task["clip"]["duration_s"], 2),
        }
        submit = await client.post(
            f"/api/v1/review/tasks/{task['task_id']}/submit{'?next=true' if handover else ''}",
            json=body, headers=person.headers,
        )  # fmt: skip
        t3 = time.perf_counter()
        answer = submit.json() if submit.status_code == 200 else {}
        if answer.get("status") != "submitted":
            raise _Bad(f"submit {submit.status_code}: {submit.text[:200]}")
        if handover:
            handover.task = answer["next"]
    except (_Bad, httpx.HTTPError, ValueError, KeyError) as exc:
        if handover:
            handover.task = None  # start again from a lease of its own
        result.error(f"{person.username}: {type(exc).__name__}: {exc}")
        return "error"
    result.operations += 1
    result.latencies["audio"].append((t2 - t1) * 1000)
    result.latencies["submit"].append((t3 - t2) * 1000)
    result.latencies["cycle"].append((t3 - t0) * 1000)
    result.submitted.append((task["task_id"], person.username))
    return "done"


async def _cycles(
    client: httpx.AsyncClient, person: Credentials, result: PhaseResult, deadline: float,
    budget: Budget, handover: Handover | None = None,
) -> None:  # fmt: skip
    """Closed loop: the next cycle starts as soon as the last one ends (no think time)."""
    failures = 0
    while time.monotonic() < deadline and failures < MAX_CONSECUTIVE_ERRORS and budget.take():
        outcome = await _one_cycle(client, person, result, handover)
        if outcome == "no_work":
            return
        failures = failures + 1 if outcome == "error" else 0


async def _paced(
    client: httpx.AsyncClient, person: Credentials, result: PhaseResult, deadline: float,
    budget: Budget, rng: random.Random,
) -> None:  # fmt: skip
    """Open loop at a shift's pace: cycles start at random times, on average every
    SHIFT_SECONDS / SHIFT_CLIPS seconds (Poisson), whatever the server's latency."""
    mean_gap = SHIFT_SECONDS / SHIFT_CLIPS
    # Exponential from the start too (memoryless), so the offered rate is N / mean_gap at once.
    due = time.monotonic() + rng.expovariate(1 / mean_gap)
    while due < deadline and budget.take():
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        if await _one_cycle(client, person, result) == "no_work":
            return
        due += rng.expovariate(1 / mean_gap)


async def _repeat(
    client: httpx.AsyncClient, person: Credentials, result: PhaseResult, deadline: float,
    budget: Budget, kind: str,
) -> None:  # fmt: skip
    failures = 0
    while time.monotonic() < deadline and failures < MAX_CONSECUTIVE_ERRORS and budget.take():
        t0 = time.perf_counter()
        try:
            if kind == "healthz":
                answer = await client.get("/healthz")
                ok = answer.status_code == 200
            else:
                answer = await client.post("/api/v1/review/lease", headers=person.headers)
                ok = answer.status_code in (200, 204)
                if answer.status_code == 204:
                    result.no_work += 1
                    return
        except httpx.HTTPError as exc:
            result.error(f"{kind}: {type(exc).__name__}: {exc}")
            failures += 1
            continue
        elapsed = (time.perf_counter() - t0) * 1000
        if not ok:
            result.error(f"{kind} {answer.status_code}: {answer.text[:200]}")
            failures += 1
            continue
        failures = 0
        result.operations += 1
        result.latencies[kind].append(elapsed)


class _Bad(Exception):
    """An answer the benchmark did not expect (counted as an error)."""


class PgBackendCpu:
    """CPU time of the PostgreSQL backends serving one application_name, from /proc.

    PostgreSQL runs on this machine, so its work per cycle is part of the 2-core budget. A thread
    polls pg_stat_activity for the backends of the server's connections and reads their CPU time;
    a backend that ends between two polls loses its last quarter second (a lower bound).
    """

    def __init__(self, admin_url: str, application_name: str, interval_s: float = 0.25) -> None:
        self.admin_url, self.application_name, self.interval_s = (
            admin_url, application_name, interval_s,
        )  # fmt: skip
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.boot_started = 0.0

    def _cpu_and_start(self, pid: int) -> tuple[float, float] | None:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.ticks, int(fields[19]) / self.ticks

    def _poll(self, connection: Any, started_uptime: float) -> None:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                (self.application_name,),
            )
        ]
        for pid in pids:
            found = self._cpu_and_start(pid)
            if found is None:
                continue
            cpu, born = found
            # A backend born during the phase did all its work in it.
            self.first.setdefault(pid, 0.0 if born >= started_uptime else cpu)
            self.last[pid] = cpu

    def _run(self, started_uptime: float) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            while True:
                self._poll(connection, started_uptime)
                if self.stop.wait(self.interval_s):
                    self._poll(connection, started_uptime)
                    return

    def __enter__(self) -> PgBackendCpu:
        with open("/proc/uptime") as fh:
            started_uptime = float(fh.read().split()[0])
        self.thread = threading.Thread(target=self._run, args=(started_uptime,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)

    @property
    def backends(self) -> int:
        return len(self.last)


def pg_libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1).split("?")[0]


async def run_phase(
    server: RunningServer,
    people: list[Credentials],
    kind: str,
    seconds: float,
    limit: int,
    pg_app_name: str | None = None,
) -> PhaseResult:
    result = PhaseResult(kind=kind, n=len(people))
    sampler = (
        PgBackendCpu(pg_libpq_url(PG_SERVER), pg_app_name)
        if pg_app_name
        else contextlib.nullcontext()
    )
    # One client (one keep-alive connection) per reviewer, as browsers are. A single shared
    # AsyncClient costs O(N) CPU per request in httpx's pool: 1.2, 3.9 and 7.1 ms/request at
    # N = 10, 50 and 200 against 0.7-0.8 ms with a client each, measured here: the load
    # generator would have been the bottleneck. One TLS context for all (never used: plain
    # HTTP on loopback), since building one per client costs ~25 ms of CPU.
    clients = [
        httpx.AsyncClient(
            base_url=server.base_url, timeout=60, verify=_TLS,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        for _ in people
    ]  # fmt: skip
    try:
        if kind == "lease_only":
            # Untimed: each reviewer takes a lease, so the timed loops measure re-leasing it.
            await asyncio.gather(
                *(c.post("/api/v1/review/lease", headers=p.headers)
                  for c, p in zip(clients, people, strict=True))
            )  # fmt: skip
        budget = Budget(limit)
        pids = server.pids()
        with sampler as pg:
            cpu0, client0, busy0 = cpu_seconds(pids), time.process_time(), machine_busy_s()
            t0 = time.perf_counter()
            deadline = time.monotonic() + seconds
            if kind in CYCLE_KINDS:
                loops = [
                    _cycles(c, p, result, deadline, budget,
                            Handover() if kind == "workbench" else None)
                    for c, p in zip(clients, people, strict=True)
                ]  # fmt: skip
            elif kind == "paced":
                rng = random.Random(len(people))
                loops = [
                    _paced(c, p, result, deadline, budget, rng)
                    for c, p in zip(clients, people, strict=True)
                ]
            else:
                loops = [
                    _repeat(c, p, result, deadline, budget, kind)
                    for c, p in zip(clients, people, strict=True)
                ]
            await asyncio.gather(*loops)
            result.seconds = time.perf_counter() - t0
            result.server_cpu_s = cpu_seconds(pids) - cpu0
            result.client_cpu_s = time.process_time() - client0
            busy = machine_busy_s() - busy0
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    if isinstance(pg, PgBackendCpu):
        result.db_cpu_s, result.db_backends = pg.seconds, pg.backends
    own = result.server_cpu_s + result.client_cpu_s + (result.db_cpu_s or 0.0)
    result.other_load_cores = max(0.0, (busy - own) / result.seconds)
    return result


# ------------------------------------------------------------------------------ checks


def assignment_checks(rt: Any, submitted: list[tuple[str, str]]) -> dict[str, Any]:
    """No work item ever held by two reviewers, from the database and the audit log."""
    from sqlalchemy import func, select

    from voxguard.audit import verify_chain
    from voxguard.db.models import Annotation, AuditEvent, Exposure

    problems: list[str] = []
    with rt.db.read() as session:
        annotations, distinct_items = session.execute(
            select(func.count(), func.count(func.distinct(Annotation.work_item_id)))
        ).one()
        if annotations != distinct_items:
            problems.append(f"{annotations - distinct_items} annotations share a work item")
        exposures = session.execute(select(func.count()).select_from(Exposure)).scalar_one()
        distinct_pairs = session.execute(
            select(func.count()).select_from(
                select(Exposure.reviewer_id, Exposure.utterance_id).distinct().subquery()
            )
        ).scalar_one()
        if exposures != distinct_pairs:
            problems.append(f"{exposures - distinct_pairs} repeated (reviewer, clip) exposures")
        twice = session.execute(
            select(func.count()).select_from(
                select(Annotation.reviewer_id, Annotation.utterance_id)
                .group_by(Annotation.reviewer_id, Annotation.utterance_id)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        if twice:
            problems.append(f"{twice} (reviewer, clip) pairs annotated more than once")
        foreign = session.execute(
            select(func.count())
            .select_from(Annotation)
            .outerjoin(
                Exposure,
                (Exposure.work_item_id == Annotation.work_item_id)
                & (Exposure.reviewer_id == Annotation.reviewer_id),
            )
            .where(Exposure.id.is_(None))
        ).scalar_one()
        if foreign:
            problems.append(f"{foreign} annotations by a reviewer not exposed through that task")
        events = session.execute(
            select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                   AuditEvent.target, AuditEvent.details)
            .where(AuditEvent.action.in_(("review.leased", "review.submitted", "review.skipped")))
            .order_by(AuditEvent.seq)
        ).all()  # fmt: skip
        chain_checked, chain_break = verify_chain(session)
    leases: dict[str, list[list[Any]]] = defaultdict(list)  # task -> [actor, start, end]
    for _seq, at, actor, action, target, details in events:
        if action == "review.leased":
            seconds = json.loads(details).get("lease_seconds", 120)
            leases[target].append([actor, at, at + timedelta(seconds=seconds)])
        else:
            for lease in reversed(leases.get(target, [])):
                if lease[0] == actor and lease[1] <= at:
                    lease[2] = min(lease[2], at)  # the lease ended with the submit or skip
                    break
    overlapping = 0
    for spans in leases.values():
        spans.sort(key=lambda s: s[1])
        for a, b in itertools.pairwise(spans):
            if a[0] != b[0] and b[1] < a[2]:
                overlapping += 1
    if overlapping:
        problems.append(f"{overlapping} tasks leased to two reviewers with overlapping leases")
    seen: dict[str, str] = {}
    client_doubles = 0
    for task_id, reviewer in submitted:
        if seen.setdefault(task_id, reviewer) != reviewer:
            client_doubles += 1
    if client_doubles:
        problems.append(f"{client_doubles} tasks submitted by two reviewers (client view)")
    if chain_break is not None:
        problems.append(str(chain_break))
    return {
        "annotations": annotations,
        "distinct_annotation_work_items": distinct_items,
        "exposures": exposures,
        "distinct_reviewer_clip_exposures": distinct_pairs,
        "reviewer_clip_pairs_annotated_twice": twice,
        "annotations_without_matching_exposure": foreign,
        "leased_events": sum(len(v) for v in leases.values()),
        "tasks_leased": len(leases),
        "tasks_leased_more_than_once": sum(1 for v in leases.values() if len(v) > 1),
        "overlapping_leases": overlapping,
        "client_submits": len(submitted),
        "client_tasks_submitted_by_two": client_doubles,
        "audit_events_verified": chain_checked,
        "audit_chain_intact": chain_break is None,
        "problems": problems,
        "ok": not problems,
    }


class _NoGold:
    """An rng whose draw never asks for gold: the captured claim is the ordinary one."""

    @staticmethod
    def random() -> float:
        return 1.0


def explain_claim(rt: Any, username: str) -> dict[str, Any]:
    """Capture the claim statement the real ``lease_next`` sends, and explain it."""
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from voxguard.db.models import User
    from voxguard.review.assignment import lease_next

    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE WORK_ITEMS"):
            captured.append((statement, parameters))

    engine = rt.db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            t0 = time.perf_counter()
            lease_next(session, rt.settings, user, rng=_NoGold())  # type: ignore[arg-type]
            lease_ms = (time.perf_counter() - t0) * 1000
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    if not captured:
        return {"error": "no claim statement captured"}
    statement, parameters = captured[0]
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if rt.db.is_postgres else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        finally:
            transaction.rollback()  # EXPLAIN ANALYZE really runs the UPDATE
    plan = [" | ".join(str(c) for c in row) if len(row) > 1 else str(row[0]) for row in rows]
    return {
        "statement": statement,
        "lease_next_ms_in_process": round(lease_ms, 2),
        "plan": plan,
    }


# ------------------------------------------------------------------------------ one backend


def _summary(result: PhaseResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": result.kind,
        "n": result.n,
        "seconds": round(result.seconds, 3),
        "operations": result.operations,
        "rate_per_s": round(result.rate, 1),
        "errors": result.errors,
        "no_work_204": result.no_work,
        "error_samples": result.error_samples,
        "server_cpu_ms_per_op": round(1000 * result.server_cpu_s / result.operations, 2)
        if result.operations
        else None,
        "client_cpu_ms_per_op": round(1000 * result.client_cpu_s / result.operations, 2)
        if result.operations
        else None,
        "server_cores_busy": round(result.server_cpu_s / result.seconds, 2)
        if result.seconds
        else None,
        "client_cores_busy": round(result.client_cpu_s / result.seconds, 2)
        if result.seconds
        else None,
        "other_load_cores": round(result.other_load_cores, 2),
        "db_cpu_ms_per_op": round(1000 * result.db_cpu_s / result.operations, 2)
        if result.db_cpu_s is not None and result.operations
        else None,
        "db_cores_busy": round(result.db_cpu_s / result.seconds, 2)
        if result.db_cpu_s is not None and result.seconds
        else None,
        "db_backends_seen": result.db_backends,
        "latency_ms": {},
    }
    for name, values in result.latencies.items():
        row["latency_ms"][name] = {
            "count": len(values),
            "p50": _r(percentile(values, 50)),
            "p99": _r(percentile(values, 99)),
            "max": _r(max(values) if values else None),
        }
    if result.kind in TIMED_KINDS:
        p99s = [row["latency_ms"].get(t, {}).get("p99") for t in REQUEST_TYPES]
        row["worst_request_p99_ms"] = max((p for p in p99s if p is not None), default=None)
    return row


def run_backend(
    backend: str, cfg: Config, templates: list[Template], log: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    submitted: list[tuple[str, str]] = []
    with bench_env(backend, accounts=0, label="review") as env:
        seeder = Seeder(env, templates)
        try:
            backlog = int(cfg.max_rate * cfg.cycle_s) + 4 * max(cfg.levels)
            t0 = time.perf_counter()
            seeder.add_gold(GOLD_CLIPS)
            seeder.top_up(backlog)
            console.print(
                f"  {backend}: {seeder.clips} clips over {seeder.accounts} accounts "
                f"in {time.perf_counter() - t0:.1f} s (backlog {backlog} tasks)"
            )
            for workers in cfg.workers:
                t0 = time.perf_counter()
                people = seeder.add_reviewers(max(cfg.levels), f"bench-w{workers}-{seeder.run_tag}")
                console.print(
                    f"  {backend}: {len(people)} reviewers created in "
                    f"{time.perf_counter() - t0:.1f} s"
                )
                load = wait_until_quiet(cfg.quiet_wait_s)
                if load >= 0.3:
                    console.print(f"[yellow]  other processes keep {load:.1f} cores busy[/]")
                server_env, app_name = dict(env.env), None
                if backend == "postgresql":
                    # Names the server's connections, so their backends' CPU can be measured.
                    app_name = f"voxguard-bench-{env.schema}-w{workers}"
                    server_env["VOXGUARD_DATABASE_URL"] += f"&application_name={app_name}"
                with voxguard_server(server_env, workers, extra_args=KEEP_ALIVE) as server:
                    t0 = time.perf_counter()
                    _run_async(sign_in_all(server.base_url, people))
                    console.print(
                        f"  {backend} w={workers}: {len(people)} reviewers signed in (password + "
                        f"TOTP, then password change) in {time.perf_counter() - t0:.1f} s"
                    )
                    for n in cfg.levels:
                        crew = people[:n]
                        limit = int(cfg.max_rate * cfg.cycle_s)
                        phases = [
                            ("healthz", cfg.baseline_s),
                            ("lease_only", cfg.baseline_s),
                            *((flow, cfg.cycle_s) for flow in cfg.flows),
                        ]
                        if n == max(cfg.levels) and cfg.paced_s > 0:
                            phases.append(("paced", cfg.paced_s))
                        for kind, seconds in phases:
                            added = seeder.top_up(backlog) if kind != "healthz" else 0
                            pending = seeder.pending_review_tasks()
                            cap = limit if kind in TIMED_KINDS else 10**7
                            result = _run_async(
                                run_phase(server, crew, kind, seconds, cap, app_name)
                            )
                            row = _summary(result)
                            row.update(
                                backend=backend, workers=workers, backlog_pending=pending,
                                clips_added_before=added, load_before=load,
                            )  # fmt: skip
                            if result.errors:
                                row["server_log_tail"] = server.log_tail(2000)
                            rows.append(row)
                            submitted.extend(result.submitted)
                            _echo(row)
        finally:
            seeder.close()
        # Checks and plans on a runtime of its own, after every server of this backend stopped.
        from voxguard.config import Settings
        from voxguard.runtime import build_runtime

        rt = build_runtime(Settings(data_dir=env.data_dir, database_url=env.database_url))
        try:
            t0 = time.perf_counter()
            checks = assignment_checks(rt, submitted)
            checks["seconds"] = round(time.perf_counter() - t0, 1)
            explain = explain_claim(rt, people[0].username)
            explain["pending_review_tasks"] = _pending(rt)
        finally:
            rt.close()
    log.append(f"{backend}: {seeder.clips} clips, {seeder.accounts} accounts")
    return rows, {"double_assignment": checks, "claim_plan": explain}


def _echo(row: dict[str, Any]) -> None:
    lat = row["latency_ms"]
    if row["kind"] in TIMED_KINDS:
        parts = " ".join(
            f"{t} {_fmt(lat.get(t, {}).get('p50'))}/{_fmt(lat.get(t, {}).get('p99'))}"
            for t in (*REQUEST_TYPES, "cycle")
            if t in lat
        )
        console.print(
            f"    {row['backend']:<10} w={row['workers']} N={row['n']:<3} {row['kind']:<10} "
            f"{row['rate_per_s']:>7.1f} cycles/s  p50/p99 ms: {parts}  errors {row['errors']} "
            f"204s {row['no_work_204']}  CPU ms/cycle: server {_fmt(row['server_cpu_ms_per_op'])} "
            f"db {_fmt(row['db_cpu_ms_per_op'])} client {_fmt(row['client_cpu_ms_per_op'])}  "
            f"other load {row['other_load_cores']:.2f} cores"
        )
    else:
        key = row["kind"]
        console.print(
            f"    {row['backend']:<10} w={row['workers']} N={row['n']:<3} {key:<10} "
            f"{row['rate_per_s']:>7.1f} req/s     p50/p99 ms: "
            f"{_fmt(lat.get(key, {}).get('p50'))}/{_fmt(lat.get(key, {}).get('p99'))}  "
            f"errors {row['errors']}"
        )
    for sample in row["error_samples"][:3]:
        console.print(f"      [red]error:[/] {sample}")


# ------------------------------------------------------------------------------ report


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _fmt(value: Any, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)


def verdict(rows: list[dict[str, Any]], checks: dict[str, Any]) -> dict[str, Any]:
    candidates = [
        r for r in rows
        if r["kind"] in CYCLE_KINDS and r["backend"] == TARGET_BACKEND and r["n"] == TARGET_N
    ]  # fmt: skip
    best = max(candidates, key=lambda r: r["rate_per_s"], default=None)
    double_ok = all(c["double_assignment"]["ok"] for c in checks.values())
    errors = sum(r["errors"] for r in rows)
    if best is None:
        return {"pass": False, "reason": f"no {TARGET_BACKEND} run at N={TARGET_N}",
                "no_double_assignment": double_ok, "errors": errors}  # fmt: skip
    rate_ok = best["rate_per_s"] >= TARGET_CYCLES_PER_S
    # What this machine can do with no work at all: the bare health route, 3 per cycle.
    healthz = [
        r["rate_per_s"] / 3 for r in rows
        if r["kind"] == "healthz" and r["backend"] == TARGET_BACKEND and r["n"] == TARGET_N
    ]  # fmt: skip
    p99 = best.get("worst_request_p99_ms")
    p99_ok = p99 is not None and p99 < TARGET_P99_MS
    return {
        "pass": rate_ok and p99_ok and double_ok and errors == 0,
        "best_workers": best["workers"],
        "best_flow": best["kind"],
        "cycles_per_s": best["rate_per_s"],
        "cycles_per_s_ok": rate_ok,
        "worst_request_p99_ms": p99,
        "p99_ok": p99_ok,
        "cycle_p99_ms": best["latency_ms"].get("cycle", {}).get("p99"),
        "no_op_ceiling_cycles_per_s": max(healthz, default=None),
        "no_double_assignment": double_ok,
        "errors": errors,
    }


LOAD_LABELS = {"cycle": "flat out", "workbench": "flat out, 2 req", "paced": "shift pace"}


def render(rows: list[dict[str, Any]]) -> tuple[Table, Table]:
    cycles = Table(title="voxguard review: lease → audio → submit cycles (p50 / p99 ms)")
    for name in (
        "backend", "workers", "N", "load", "cycles/s", "lease", "audio", "submit", "cycle", "errors",
        "204", "backlog", "CPU ms/cycle server / db / client", "other load", "verdict",
    ):  # fmt: skip
        cycles.add_column(
            name, justify="left" if name in ("backend", "load", "verdict") else "right"
        )
    base = Table(title="baselines at the same concurrency (requests/s, p50 / p99 ms)")
    for name in (
        "backend", "workers", "N", "healthz req/s", "healthz", "lease-only req/s", "lease-only",
        "cycle ceiling from lease-only",
    ):  # fmt: skip
        base.add_column(name, justify="left" if name == "backend" else "right")

    def pair(lat: dict[str, Any], key: str) -> str:
        entry = lat.get(key, {})
        return f"{_fmt(entry.get('p50'))} / {_fmt(entry.get('p99'))}"

    by_key: dict[tuple[str, int, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        by_key[(r["backend"], r["workers"], r["n"])][r["kind"]] = r
    for (backend, workers, n), kinds in by_key.items():
        for kind in TIMED_KINDS:
            c = kinds.get(kind)
            if c is None:
                continue
            marks = []
            if kind in CYCLE_KINDS and backend == TARGET_BACKEND and n == TARGET_N:
                ok = (
                    c["rate_per_s"] >= TARGET_CYCLES_PER_S
                    and (c.get("worst_request_p99_ms") or 1e9) < TARGET_P99_MS
                    and c["errors"] == 0
                )
                marks.append(f"{'PASS' if ok else 'FAIL'} target")
            if c["errors"]:
                marks.append("ERRORS")
            lat = c["latency_ms"]
            cycles.add_row(
                backend, str(workers), str(n),
                LOAD_LABELS[kind],
                _fmt(c["rate_per_s"]), pair(lat, "lease"),
                pair(lat, "audio"), pair(lat, "submit"), pair(lat, "cycle"), str(c["errors"]),
                str(c["no_work_204"]), str(c["backlog_pending"]),
                f"{_fmt(c['server_cpu_ms_per_op'])} / {_fmt(c['db_cpu_ms_per_op'])} / "
                f"{_fmt(c['client_cpu_ms_per_op'])}",
                _fmt(c["other_load_cores"], ".2f"), ", ".join(marks),
            )  # fmt: skip
        h, lo = kinds.get("healthz"), kinds.get("lease_only")
        if h is not None or lo is not None:
            base.add_row(
                backend, str(workers), str(n),
                _fmt(h["rate_per_s"]) if h else "–", pair(h["latency_ms"], "healthz") if h else "–",
                _fmt(lo["rate_per_s"]) if lo else "–",
                pair(lo["latency_ms"], "lease_only") if lo else "–",
                _fmt(lo["rate_per_s"] / 3) if lo else "–",
            )  # fmt: skip
    cycles.caption = (
        "A cycle is 3 requests (lease, audio, submit). flat out: each reviewer starts the next "
        "cycle at once; 2 req: as the review page, the submit answers with the next lease; shift "
        f"pace: cycles start at random, {SHIFT_CLIPS} per reviewer per 9 h. backlog: pending review tasks when the phase began. CPU per cycle: "
        "the uvicorn processes / the PostgreSQL backends serving them (SQLite: inside the server) "
        "/ the load generator. other load: cores busy with anything else meanwhile (of 2)."
    )
    base.caption = (
        "lease-only: re-leasing a held task (auth + live-lease query + view, no write). "
        "ceiling: lease-only rate / 3, if every request of a cycle were that cheap."
    )
    return cycles, base


def chart(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6.4))
    series: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["kind"] in CYCLE_KINDS:
            series[(r["backend"], r["workers"], r["kind"])].append(r)
    styles = {"sqlite": "tab:blue", "postgresql": "tab:orange"}
    for (backend, workers, kind), points in sorted(series.items()):
        points.sort(key=lambda r: r["n"])
        ns = [p["n"] for p in points]
        flow = "3 requests" if kind == "cycle" else "2 requests (page)"
        style = dict(
            color=styles.get(backend, "gray"), marker="o" if workers == 1 else "s",
            linestyle="-" if kind == "cycle" else "--",
            alpha=1.0 if workers == max(w for _, w, _ in series) else 0.5,
            label=f"{backend}, {workers} worker(s), {flow}",
        )  # fmt: skip
        left.plot(ns, [p["rate_per_s"] for p in points], **style)
        right.plot(ns, [p.get("worst_request_p99_ms") for p in points], **style)
    for r in rows:
        if r["kind"] == "paced":
            color = styles.get(r["backend"], "gray")
            marker = "*" if r["workers"] == 1 else "P"
            label = f"{r['backend']}, {r['workers']} w, shift pace"
            left.scatter([r["n"]], [r["rate_per_s"]], color=color, marker=marker, s=90, label=label)
            right.scatter(
                [r["n"]], [r.get("worst_request_p99_ms")], color=color, marker=marker, s=90,
                label=label,
            )  # fmt: skip
    # What the machine does with no work at all: 3 bare health requests per cycle.
    ceiling: dict[int, float] = {}
    for r in rows:
        if r["kind"] == "healthz":
            ceiling[r["n"]] = max(ceiling.get(r["n"], 0.0), r["rate_per_s"] / 3)
    if ceiling:
        ns = sorted(ceiling)
        left.plot(ns, [ceiling[n] for n in ns], color="gray", linestyle="-.",
                  label="no-op ceiling (3 × GET /healthz)")  # fmt: skip
    left.axhline(TARGET_CYCLES_PER_S, color="green", linestyle=":", label="target ≥ 300/s")
    right.axhline(TARGET_P99_MS, color="green", linestyle=":", label="target p99 < 100 ms")
    for axis, label in ((left, "cycles/s"), (right, "worst p99 of lease/audio/submit (ms)")):
        axis.set_xscale("log")
        axis.set_xticks([10, 50, 200])
        axis.set_xticklabels(["10", "50", "200"])
        axis.set_xlabel("concurrent reviewers N")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
    right.set_yscale("log")
    left.set_ylim(bottom=0)
    # One legend for both plots, below them, so that no point hides behind it.
    handles: dict[str, Any] = {}
    for axis in (left, right):
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=3, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.03 + 0.035 * ((len(handles) + 2) // 3), 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (a few minutes)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts, e.g. 1,2")
    parser.add_argument("--levels", default="10,50,200", help="reviewer counts N")
    parser.add_argument("--cycle-seconds", type=float, help="length of each cycle phase")
    parser.add_argument("--baseline-seconds", type=float, help="length of each baseline phase")
    parser.add_argument(
        "--paced-seconds", type=float,
        help="length of the phase at the largest N paced like real shifts (0 skips it)",
    )  # fmt: skip
    parser.add_argument(
        "--max-rate", type=float, default=450.0,
        help="cycles/s the backlog is sized for (also the cap on cycles per phase)",
    )  # fmt: skip
    parser.add_argument(
        "--flows", default="cycle,workbench",
        help="flat-out flows, in order: cycle (3 requests) and/or workbench (2, as the page)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float,
        help="seconds to wait before each server for other processes to leave the CPUs idle",
    )  # fmt: skip
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    flows = [f.strip() for f in args.flows.split(",") if f.strip()]
    if not flows or not set(flows) <= set(CYCLE_KINDS):
        parser.error("--flows takes cycle and/or workbench")
    if not workers or any(not 1 <= w <= 4 for w in workers):
        parser.error("--workers takes numbers between 1 and 4")
    if not levels or any(not 1 <= n <= 400 for n in levels):
        parser.error("--levels takes numbers between 1 and 400")
    if not set(backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends takes sqlite and/or postgresql")
    cycle_s = args.cycle_seconds or (6.0 if args.quick else 15.0)
    baseline_s = args.baseline_seconds or (2.0 if args.quick else 5.0)
    paced_s = args.paced_seconds if args.paced_seconds is not None else 2 * cycle_s
    if not 1 <= cycle_s <= 120 or not 0.5 <= baseline_s <= 60 or not 0 <= paced_s <= 300:
        parser.error("phases must last 1-120 s (cycles), 0.5-60 s (baselines), 0-300 s (paced)")
    return Config(
        quick=args.quick, levels=levels, workers=workers, backends=backends, cycle_s=cycle_s,
        baseline_s=baseline_s, paced_s=paced_s, max_rate=args.max_rate,
        quiet_wait_s=args.quiet_wait if args.quiet_wait is not None else (5 if args.quick else 20),
        templates=len(PHRASES), flows=flows,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    started = datetime.now(UTC)
    load_at_start = os.getloadavg()
    # SIGTERM runs the finally blocks (servers stopped, schemas dropped) like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.chdir(PROJECT_ROOT)
    notes: list[str] = []
    t0 = time.perf_counter()
    console.print("making review-copy templates through the real ingest and privacy pipeline …")
    templates = make_templates(cfg.templates)
    console.print(
        f"  {len(templates)} templates in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{t.duration_s:.2f} s {t.draft_text!r}" for t in templates)
    )
    if max(t.duration_s for t in templates) > 1.5:
        raise RuntimeError("a template is longer than 1.5 s: submits would have to wait")
    rows: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    for backend in cfg.backends:
        if backend == "postgresql":
            reason = pg_available()
            if reason:
                notes.append(f"PostgreSQL skipped: {PG_SERVER} not reachable ({reason})")
                console.print(f"[yellow]{notes[-1]}[/]")
                continue
        console.print(f"{backend}:")
        backend_rows, backend_checks = run_backend(backend, cfg, templates, notes)
        rows.extend(backend_rows)
        checks[backend] = backend_checks
        da = backend_checks["double_assignment"]
        console.print(
            f"  double-assignment check ({backend}): "
            f"{'[green]none[/]' if da['ok'] else '[red]' + '; '.join(da['problems']) + '[/]'} — "
            f"{da['annotations']} annotations, {da['exposures']} exposures, "
            f"{da['leased_events']} leases of {da['tasks_leased']} tasks, "
            f"audit chain of {da['audit_events_verified']} events "
            f"{'intact' if da['audit_chain_intact'] else 'BROKEN'}"
        )
    cycles_table, base_table = render(rows)
    console.print(cycles_table)
    console.print(base_table)
    result = verdict(rows, checks)
    if "cycles_per_s" in result:
        console.print(
            f"target at N={TARGET_N} on {TARGET_BACKEND}: ≥{TARGET_CYCLES_PER_S:.0f} cycles/s "
            f"and p99 < {TARGET_P99_MS:.0f} ms, no double assignment → "
            f"{'[green]PASS[/]' if result['pass'] else '[red]FAIL[/]'} "
            f"(best {result['cycles_per_s']:.1f} cycles/s with {result['best_workers']} "
            f"worker(s), {LOAD_LABELS[result['best_flow']]}, worst request p99 {_fmt(result['worst_request_p99_ms'])} ms, "
            f"double assignment {'none' if result['no_double_assignment'] else 'FOUND'}, "
            f"errors {result['errors']})"
        )
        ceiling = result["no_op_ceiling_cycles_per_s"]
        if ceiling is not None:
            console.print(
                f"  no-op ceiling on this machine: {ceiling:.0f} cycles/s (3 × GET /healthz, no "
                f"auth, no database, same load generator); flat-out latency at N={TARGET_N} is "
                f"N / throughput (Little's law), so real reviewers' latency is the shift-pace row"
            )
    else:
        console.print(f"target: [red]FAIL[/] ({result['reason']})")
    for r in rows:
        if r["kind"] == "paced":
            lat = r["latency_ms"]
            console.print(
                f"at shift pace ({r['n']} reviewers × {SHIFT_CLIPS} clips / 9 h = "
                f"{r['n'] * SHIFT_CLIPS / SHIFT_SECONDS:.1f} cycles/s offered) on {r['backend']}, "
                f"{r['workers']} worker(s): {r['rate_per_s']:.1f} cycles/s, p50/p99 ms lease "
                f"{_fmt(lat.get('lease', {}).get('p50'))}/{_fmt(lat.get('lease', {}).get('p99'))}, "
                f"cycle {_fmt(lat.get('cycle', {}).get('p50'))}/"
                f"{_fmt(lat.get('cycle', {}).get('p99'))}, errors {r['errors']}"
            )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    json_path = RESULTS_DIR / f"review-{stamp}.json"
    png_path = RESULTS_DIR / f"review-{stamp}.png"
    document = {
        "benchmark": "review_load",
        "started_at": started.isoformat(),
        "seconds": round(time.perf_counter() - t0, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": load_at_start,
        },
        "config": cfg.__dict__,
        "targets": {
            "backend": TARGET_BACKEND,
            "n": TARGET_N,
            "cycles_per_s": TARGET_CYCLES_PER_S,
            "p99_ms": TARGET_P99_MS,
        },
        "verdict": result,
        "templates": [
            {
                "spoken": t.spoken,
                "duration_s": round(t.duration_s, 3),
                "draft_text": t.draft_text,
                "redactions": t.redactions,
                "wav_bytes": len(t.wav),
            }
            for t in templates
        ],
        "checks": checks,
        "notes": notes,
        "rows": rows,
    }
    json_path.write_text(json.dumps(document, indent=2, default=str))
    chart(rows, png_path, f"voxguard review load ({'quick' if cfg.quick else 'full'}, "
                          f"{os.cpu_count()} CPUs) — {stamp}")  # fmt: skip
    console.print(f"saved {json_path.relative_to(PROJECT_ROOT)} and {png_path.name}")
    for backend, c in checks.items():
        plan = c["claim_plan"]
        console.print(
            f"claim statement plan on {backend} ({plan.get('pending_review_tasks')} pending tasks, "
            f"lease_next in-process {plan.get('lease_next_ms_in_process')} ms):"
        )
        for line in plan.get("plan", [])[:40]:
            console.print(f"  {line}", markup=False, highlight=False)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

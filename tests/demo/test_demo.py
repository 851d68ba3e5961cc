"""`voxguard demo` (what `make demo` runs): demo data arrives over real HTTP, simulated reviewers
settle some of it through the review services, the rest waits for a visitor; the feedback loop's
commands (export, eval) and /reports show what was settled."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp
import sqlalchemy as sa

from tests.support.net import free_port
from voxguard.db.models import (
    Account,
    ClipOutcome,
    ExportClip,
    Report,
    SelfServiceLink,
    Utterance,
    WorkItem,
)
from voxguard.db.session import make_engine
from voxguard.vault.tokens import token_digest


def test_demo_sets_up_a_reviewable_system(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    env = {
        **os.environ,
        "VOXGUARD_DATA_DIR": str(data),
        "VOXGUARD_SAMPLING_RATE": "1.0",
    }  # as make demo
    env.pop("VOXGUARD_DATABASE_URL", None)
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "voxguard.cli.main",
            "demo",
            "--port",
            str(port),
            "--exit-after-setup",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert f"serving at http://127.0.0.1:{port}" in out
    uploaded = int(re.search(r"uploaded (\d+) utterances over HTTP", out).group(1))
    assert uploaded == 30
    logins = re.findall(r"(\S+) \((\w+), (\w+)\): password (\S+); code: .* (\S+)$", out, re.M)
    assert {name for name, *_ in logins} == {
        "reviewer-eu",
        "reviewer-us",
        "lead",
        "privacy-officer",
    }

    engine = make_engine(f"sqlite:///{data / 'voxguard.db'}")
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(Utterance)).scalar_one()
        ready = connection.execute(
            sa.select(sa.func.count())
            .select_from(Utterance)
            .where(Utterance.status == "ready_for_review")
        ).scalar_one()
        pending_jobs = connection.execute(
            sa.select(sa.func.count())
            .select_from(WorkItem)
            .where(WorkItem.queue == "jobs", WorkItem.state != "done")
        ).scalar_one()
    engine.dispose()
    assert stored == 24  # the speaker without storage consent left no recording
    # The voices leads hear on /lead/anonymization are rendered with the demo, not on first use.
    assert (data / "calibration" / "calibration.jsonl").is_file()
    assert ready > 0 and pending_jobs == 0
    assert re.search(r"simulated reviewers submitted \d+ reviews: clip outcomes \d+ accepted", out)
    # A lead's first visit to /reports finds charts: the demo measured what was settled.
    assert "2 reports for leads on /reports" in out
    # The speaker's side: a one-time link to a demo speaker's own page.
    speaker_link = re.search(r"privacy page .*:\n\s+(http://\S+/me/link/vgl_\S+)\n", out)
    assert speaker_link, out
    with engine.connect() as connection:
        links = connection.execute(sa.select(SelfServiceLink.token_hash)).scalars().all()
    engine.dispose()
    assert links == [token_digest(speaker_link.group(1).rsplit("/", 1)[1])]
    with engine.connect() as connection:
        kinds = connection.execute(sa.select(Report.kind, Report.actor)).all()
    assert sorted(kinds) == [("asr", "demo"), ("nlu", "demo")]

    def voxguard(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "voxguard.cli.main", *args],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    exported = voxguard("export", "--format", "jsonl", "--out", str(tmp_path / "export"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    clips = int(re.search(r": (\d+) clips as jsonl", exported.stdout).group(1))
    assert clips > 0
    rows = [
        line
        for split in ("train", "dev", "test")
        if (tmp_path / "export" / f"{split}.jsonl").exists()
        for line in (tmp_path / "export" / f"{split}.jsonl").read_text().splitlines()
    ]
    assert len(rows) == clips
    nlu = voxguard("eval", "nlu", "--out", str(tmp_path / "nlu.html"))
    assert nlu.returncode == 0 and "device" in nlu.stdout, nlu.stdout + nlu.stderr
    asr = voxguard("eval", "asr", "--engines", "", "--out", str(tmp_path / "asr.html"))
    assert asr.returncode == 0 and "<svg" in (tmp_path / "asr.html").read_text(), asr.stderr

    engine = make_engine(f"sqlite:///{data / 'voxguard.db'}")
    with engine.connect() as connection:
        exported_refs = set(
            connection.execute(
                sa.select(Account.ref)
                .join(Utterance, Utterance.account_id == Account.id)
                .join(ExportClip, ExportClip.utterance_id == Utterance.id)
            ).scalars()
        )
        accepted = connection.execute(
            sa.select(sa.func.count())
            .select_from(ClipOutcome)
            .where(ClipOutcome.state == "accepted")
        ).scalar_one()
        settled = connection.execute(sa.select(ClipOutcome.transcript)).scalars().all()
    engine.dispose()
    # The simulated reviewers type what a reviewer hears: a bleeped name or number as its tag,
    # so neither the settled texts nor an export holds the scenario's names.
    assert any("[PERSON]" in (text or "") for text in settled)
    for text in [*settled, *rows]:
        assert not any(word in (text or "") for word in ("john", "smith", "sarah", "connor"))
    # Only the accounts that consented to model training (scenario.py) reach an export.
    assert exported_refs and exported_refs <= {"ACCT-1001", "ACCT-1003"}
    assert accepted > clips  # ACCT-1002's accepted clips stay out

    # The CLI finds the demo from the one line it printed, from any folder, with the demo's
    # settings (its sampling rate, not the default 0.002).
    line = re.search(r"^\s*export (VOXGUARD_CONFIG)=(\S+)$", out, re.M)
    assert line is not None, out
    config = Path(line.group(2))
    assert config == data / "voxguard.toml"
    bare = {k: v for k, v in os.environ.items() if not k.startswith("VOXGUARD_")}
    status = subprocess.run(
        [sys.executable, "-m", "voxguard.cli.main", "status"],
        env={**bare, "VOXGUARD_CONFIG": str(config), "COLUMNS": "200"},
        cwd=tmp_path.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    assert re.search(r"sampling_rate: 1\.0$", status.stdout, re.M), status.stdout  # not 0.002
    assert re.search(r"utterances: 24$", status.stdout, re.M), status.stdout
    assert f"web: http://127.0.0.1:{port}" in status.stdout

    # The printed credentials work against the same database served again.
    name, _role, _region, password, secret = next(row for row in logins if row[0] == "reviewer-eu")
    serve = subprocess.Popen(
        [sys.executable, "-m", "voxguard.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass

                time.sleep(0.1)
            login = client.post(
                "/api/v1/auth/login",
                json={"username": name, "password": password, "totp": pyotp.TOTP(secret).now()},
            )
            assert login.status_code == 200, login.text
            client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            task = client.post("/api/v1/review/lease")
            assert task.status_code == 200
            assert "ACCT-" not in task.text and "ECHO-" not in task.text
            assert "voxguard is running" in client.get("/").text
            client.post("/api/v1/auth/logout")
            name, _role, _region, password, secret = next(r for r in logins if r[0] == "lead")
            login = client.post(
                "/api/v1/auth/login",
                json={"username": name, "password": password, "totp": pyotp.TOTP(secret).now()},
            )
            assert login.status_code == 200, login.text
            page = client.get("/reports")
            assert page.status_code == 200 and "<svg" in page.text  # the eval reports' charts
    finally:
        serve.terminate()
        serve.wait(timeout=30)

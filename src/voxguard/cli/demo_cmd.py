"""voxguard demo: the full embedded system with demo data."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import typer

from voxguard.cli.context import console, load_settings, runtime
from voxguard.cli.progress import progress_bar
from voxguard.config import Settings, config_file_text
from voxguard.consent import self_service
from voxguard.consent.service import get_account
from voxguard.db import migrate
from voxguard.demo.calibration import ensure_calibration_set
from voxguard.demo.people import create_demo_people
from voxguard.demo.reports import publish_demo_reports
from voxguard.demo.reviewers import create_simulated_reviewers, simulate_reviews
from voxguard.demo.runner import create_demo_devices, upload_demo_utterances
from voxguard.demo.scenario import SPEAKERS
from voxguard.processing.worker import start_background_worker, work
from voxguard.runtime import Runtime
from voxguard.web.server import BackgroundServer
from voxguard.web.words import counted


def demo(
    fresh: bool = typer.Option(True, help="Start from an empty data directory."),
    host: str = typer.Option(None),
    port: int = typer.Option(None),
    exit_after_setup: bool = typer.Option(False, help="Stop once the demo data is processed."),
) -> None:
    """Run the demo at http://127.0.0.1:8000.

    Creates demo accounts and devices, uploads demo speech over HTTP, runs a worker and
    serves.
    """
    settings = load_settings()
    if fresh and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = write_demo_config(settings, host or settings.host, port or settings.port)
    migrate.upgrade(settings.resolved_database_url)
    with runtime() as rt:
        tokens = create_demo_devices(rt)
        logins = create_demo_people(rt)
        ensure_calibration_set(rt.settings)  # the voices leads hear on /lead/anonymization
        server = BackgroundServer(rt, host or settings.host, port or settings.port)
        server.start()
        stop = threading.Event()
        worker = start_background_worker(rt.db, rt.vault, rt.settings, stop)
        with progress_bar("uploading demo speech") as progress:
            summary = upload_demo_utterances(server.base_url, tokens, progress=progress)
        console.print(
            f"uploaded {counted(summary.uploaded, 'utterance')} over HTTP: {summary.sampled} "
            f"sampled for review, {summary.discarded} discarded (no storage consent)"
        )
        # Simulated reviewers need the clips processed: let the worker finish, then review.
        stop.set()
        worker.join()
        work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
        reviewers = create_simulated_reviewers(rt, {s.region for s in SPEAKERS})
        reviews = simulate_reviews(rt, reviewers, rt.vault.derived_secret("review-audio-url"))
        console.print(
            f"simulated reviewers submitted {reviews.submitted} reviews: clip outcomes "
            + ", ".join(f"{n} {state}" for state, n in sorted(reviews.outcomes.items()))
            + "; accounts consenting to model training: "
            + ", ".join(s.account_ref for s in SPEAKERS if s.model_training)
        )
        if reviews.outcomes.get("restricted"):
            console.print(
                f"{counted(reviews.outcomes['restricted'], 'clip')} in the privacy officer's "
                "restricted queue: a simulated reviewer wrote down a name or number the bleeps "
                "missed (the draft's ASR misheard it), and only its tag was kept"
            )
        with console.status("measuring the device and Whisper against what reviewers settled"):
            reports = publish_demo_reports(rt)
        console.print(f"{counted(len(reports), 'report')} for leads on /reports")
        stop = threading.Event()
        worker = start_background_worker(rt.db, rt.vault, rt.settings, stop)
        console.print(f"[bold]voxguard is serving at {server.base_url}[/]  (API docs: /docs)")
        for speaker in SPEAKERS:
            console.print(
                f"  device {speaker.serial} of {speaker.account_ref}: review {speaker.review}, "
                f"store {'yes' if speaker.store else 'no'}, "
                f"model training {'yes' if speaker.model_training else 'no'}"
            )
        _print_speaker_link(rt, server.base_url)
        console.print("\nSign in at /login (password, then the 6-digit code):")
        for login in logins:
            console.print(
                f"  [bold]{login.username}[/] ({login.role}, {login.region}): password "
                f"[bold]{login.password}[/]; code: .venv/bin/python -m voxguard.demo.totp "
                f"{login.totp_secret}"
            )
        console.print(
            f"\nThe demo's data lives in {_shown(settings.data_dir)}. Point the CLI at it "
            "(in another shell, from this folder):"
        )
        console.print(f"  [bold]export VOXGUARD_CONFIG={_shown(config)}[/]")
        try:
            if exit_after_setup:
                stop.set()
                worker.join()
                work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
                return
            console.print("Press Ctrl+C to stop.")
            server.thread.join()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.stop()


def _print_speaker_link(rt: Runtime, base_url: str) -> None:
    """The speaker's side: a one-time link to a demo speaker's own privacy page, as the
    operator's app would hand it to them."""
    ref = SPEAKERS[0].account_ref
    with rt.db.session() as session:
        new = self_service.create_link(
            session, rt.settings, get_account(session, ref).id, actor="demo"
        )
    console.print(
        f"\n{ref}'s own privacy page (consent, recordings, who listened, delete), a link that "
        f"opens once within {rt.settings.self_service_link_minutes} minutes:\n"
        f"  [bold]{new.url(base_url)}[/]\n  another: voxguard accounts link {ref}",
        soft_wrap=True,  # the link stays whole, however narrow the terminal
    )


def write_demo_config(settings: Settings, host: str, port: int) -> Path:
    """The demo's settings as a file, so `voxguard status` and the other commands read the
    system the demo serves rather than the defaults (./var, sampling rate 0.002)."""
    path = settings.data_dir / "voxguard.toml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may name a database URL
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config_file_text(settings, host=host, port=port))
    return path


def _shown(path: Path) -> Path:
    """A path as a person types it here: relative to this folder when it lies beneath it."""
    resolved = path.resolve()
    return resolved.relative_to(Path.cwd()) if resolved.is_relative_to(Path.cwd()) else resolved

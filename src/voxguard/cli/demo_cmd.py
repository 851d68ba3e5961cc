"""voxguard demo: the full embedded system with demo data."""

from __future__ import annotations

import shutil
import threading

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from voxguard.cli.context import console, load_settings, runtime
from voxguard.db import migrate
from voxguard.demo.runner import create_demo_devices, upload_demo_utterances
from voxguard.demo.scenario import COMMANDS, SPEAKERS
from voxguard.processing.worker import start_background_worker
from voxguard.web.server import BackgroundServer


def demo(
    fresh: bool = typer.Option(True, help="Start from an empty data directory."),
    host: str = typer.Option(None),
    port: int = typer.Option(None),
    exit_after_setup: bool = typer.Option(False, help="Stop once the demo data is processed."),
) -> None:
    """Create demo accounts and devices, upload demo speech over HTTP, run a worker, serve."""
    settings = load_settings()
    if fresh and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    with runtime() as rt:
        tokens = create_demo_devices(rt)
        server = BackgroundServer(rt, host or settings.host, port or settings.port)
        server.start()
        stop = threading.Event()
        worker = start_background_worker(rt, stop)
        total = sum(
            1 for s in range(len(SPEAKERS)) for c in range(len(COMMANDS)) if not (s + c) % 2
        )
        columns = (TextColumn("uploading demo speech"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("upload", total=total)
            summary = upload_demo_utterances(
                server.base_url, tokens, on_item=lambda _t: progress.advance(task)
            )
        console.print(
            f"uploaded {summary.uploaded} utterances over HTTP: {summary.sampled} sampled for "
            f"review, {summary.discarded} discarded (no storage consent)"
        )
        console.print(f"[bold]voxguard is serving at {server.base_url}[/]  (API docs: /docs)")
        for speaker in SPEAKERS:
            console.print(
                f"  device {speaker.serial} of {speaker.account_ref}: review {speaker.review}, "
                f"store {'yes' if speaker.store else 'no'}"
            )
        try:
            if exit_after_setup:
                stop.set()
                worker.join()
                from voxguard.processing.worker import work

                work(rt, stop=threading.Event(), drain=True)
                return
            console.print("Press Ctrl+C to stop.")
            server.thread.join()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.stop()

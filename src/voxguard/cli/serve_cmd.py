"""voxguard serve | worker | status"""

from __future__ import annotations

import signal
import threading

import typer
import uvicorn

from voxguard.cli.context import console, fail, runtime
from voxguard.consent.erasure import reapply_ledger
from voxguard.consent.ledger import LedgerError
from voxguard.processing.worker import start_background_worker, work
from voxguard.runtime import Runtime
from voxguard.status import system_status
from voxguard.web.app import create_app
from voxguard.web.server import server_config
from voxguard.web.words import counted


def apply_erasure_ledger(rt: Runtime) -> None:
    """Nothing is served while the database holds someone the erasure ledger says was erased
    (a backup restored by other means than `voxguard backup restore`): erase them again first."""
    try:
        reapplied = reapply_ledger(rt.db, rt.settings, rt.vault)
    except LedgerError as exc:
        raise fail(f"{exc.message}; refusing to start without it") from exc
    if reapplied:
        console.print(f"re-applied {counted(reapplied, 'erasure')} from the erasure ledger")


def serve(
    host: str = typer.Option(None, help="Bind address (default from settings)."),
    port: int = typer.Option(None, help="Port (default from settings)."),
    embedded_worker: bool = typer.Option(True, help="Also run a machine worker in this process."),
) -> None:
    """Serve the web app and APIs."""
    with runtime() as rt:
        apply_erasure_ledger(rt)
        stop = threading.Event()
        if embedded_worker:
            start_background_worker(rt.db, rt.vault, rt.settings, stop)
        try:
            config = server_config(
                create_app(rt),
                rt.settings,
                host or rt.settings.host,
                port or rt.settings.port,
                log_level="info",
            )
            uvicorn.Server(config).run()
        finally:
            stop.set()


def worker(
    drain: bool = typer.Option(False, help="Exit when no job is due instead of waiting."),
) -> None:
    """Run machine jobs. Several workers may run at once, on any host sharing the database."""
    with runtime() as rt:
        apply_erasure_ledger(rt)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            done = work(rt.db, rt.vault, rt.settings, stop=stop, drain=drain)
        except KeyboardInterrupt:
            stop.set()
            done = 0
        console.print(f"worker stopped after {counted(done, 'job')}")


def status() -> None:
    """Print what is running and how much is queued."""
    with runtime(create=False) as rt:
        figures = system_status(rt)
    width = max(map(len, figures))
    for key, value in figures.items():
        console.print(f"{key:>{width}}: {value}")

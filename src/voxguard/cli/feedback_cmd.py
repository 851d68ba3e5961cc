"""voxguard export | eval asr | eval nlu | adapt asr | adapt nlu: the feedback loop's commands.

Thin over voxguard.feedback. Each refusal has its own exit code, so scripts can tell them apart.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from voxguard.cli.context import console, fail, runtime
from voxguard.cli.progress import progress_bar
from voxguard.feedback.errors import (
    FeedbackError,
    HeldOutTooSmall,
    LineageChanged,
    NothingCurated,
    OutputUnusable,
    UnknownFormat,
    UnknownModel,
)
from voxguard.feedback.formats import AUDIO_CHOICES, FORMATS

# Exit codes: 2 bad arguments (as for any usage error), then one per kind of refusal.
EXIT_CODES: dict[type[FeedbackError], int] = {
    UnknownFormat: 2,
    UnknownModel: 2,
    NothingCurated: 3,
    OutputUnusable: 4,
    LineageChanged: 5,
    HeldOutTooSmall: 6,
}


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except FeedbackError as exc:
        raise fail(exc.message, EXIT_CODES.get(type(exc), 1)) from exc


def export(
    fmt: str = typer.Option(..., "--format", help=f"One of: {', '.join(FORMATS)}."),
    audio: str = typer.Option(
        "anonymized",
        "--audio",
        help=f"One of: {', '.join(AUDIO_CHOICES)} (the review copy, or no audio).",
    ),
    out: Path = typer.Option(..., "--out", help="A new or empty directory."),
) -> None:
    """Export the curated set, split by account, with its lineage recorded."""
    from voxguard.feedback.export import ExportRequest, check_request, run_export

    request = ExportRequest(format=fmt, audio=audio, out=out, actor=actor())
    with refusals():
        check_request(request)  # before opening the database: a typo costs nothing
        with runtime() as rt, progress_bar("exporting") as progress:
            result = run_export(rt.db, rt.vault, request, progress=progress)
    splits = ", ".join(
        f"{split} {c['clips']} clips / {c['accounts']} accounts"
        for split, c in result.counts.items()
    )
    console.print(
        f"export {result.id}: {result.clips} clips as {result.format} "
        f"(audio: {result.audio}) in {result.out}\n  {splits}"
    )

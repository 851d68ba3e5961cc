"""voxguard retention run"""

from __future__ import annotations

from voxguard.cli.app import App
from voxguard.cli.context import console, runtime
from voxguard.consent.retention import sweep
from voxguard.web.words import counted

app = App(help="Delete what people's choices no longer allow keeping.", no_args_is_help=True)


@app.command()
def run() -> None:
    """One retention pass now. Workers also run one every retention_sweep_minutes."""
    with runtime(create=False) as rt:
        summary = sweep(rt.db, rt.settings, rt.vault)
    console.print(
        f"retention: {counted(summary.recordings_expired, 'recording')} expired, "
        f"{counted(summary.originals_deleted, 'original')} and "
        f"{counted(summary.review_copies_deleted, 'review copy', 'review copies')} deleted"
    )

"""voxguard ingest PATH --device-token T"""

from __future__ import annotations

from pathlib import Path

import typer

from voxguard.cli.context import console, err_console, runtime
from voxguard.cli.progress import progress_bar
from voxguard.db.models import Account, Device
from voxguard.ingest.devices import authenticate
from voxguard.ingest.importer import plan_import, run_import
from voxguard.web.words import counted


def ingest(
    source: Path = typer.Argument(..., help="A folder of audio files or a JSONL manifest."),
    device_token: str = typer.Option(..., "--device-token", envvar="VOXGUARD_DEVICE_TOKEN"),
    locale: str = typer.Option("en-us", help="Locale for files without metadata."),
    device_type: str = typer.Option("import", help="Device type for files without metadata."),
) -> None:
    """Import recordings as the upload API would.

    The same path as the upload API, with a progress bar.
    """
    with runtime(create=False) as rt:
        with rt.db.read() as session:
            device = authenticate(session, device_token)
            account = session.get(Account, device.account_id)
            assert isinstance(device, Device) and account is not None
            defaults = {
                "account_ref": account.ref,
                "device_serial": device.serial,
                "locale": locale,
                "device_type": device_type,
                "asr_text": "",
                "asr_confidence": 1.0,
                "intent": "",
            }
        items = plan_import(source, defaults)
        with progress_bar("importing") as progress:
            report = run_import(
                rt.db, rt.vault, rt.settings, items, token=device_token, progress=progress
            )
    console.print(
        f"stored {report.stored} ({report.sampled} sampled), already present {report.replayed}, "
        f"discarded without storage consent {report.discarded}, rejected {len(report.rejected)}"
    )
    if report.replayed_unsampled:
        # A clip's sampling is decided once, when it is first stored.
        console.print(
            f"{counted(report.replayed_unsampled, 'clip')} already present and never sampled "
            "keep that decision; `voxguard sampling rerun --rate R` decides again"
        )
    for label, reason in report.rejected:
        err_console.print(f"  rejected {label}: {reason}")
    if report.rejected:
        raise typer.Exit(1)

"""voxguard sampling rerun"""

from __future__ import annotations

import dataclasses
import getpass

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, runtime
from voxguard.ingest.rerun import rerun_sampling
from voxguard.web.words import counted

app = App(help="Which stored recordings are reviewed.", no_args_is_help=True)


@app.command()
def rerun(
    rate: float = typer.Option(
        None, "--rate", min=0.0, max=1.0, help="Sampling rate for this run (default: settings)."
    ),
    account: str = typer.Option(None, "--account", help="Only this account reference."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Decide, print, and keep nothing."),
) -> None:
    """Sample stored clips never sampled. Ingest decides once, at upload; this decides for
    accounts whose consent allows review and storage. The drawn ones are queued for the
    privacy pipeline, and each decision is an audit event."""
    with runtime(create=False) as rt:
        policy = rt.sampling_policy
        if rate is not None:
            policy = dataclasses.replace(policy, rate=rate)
        summary = rerun_sampling(
            rt.db,
            rt.vault,
            policy=policy,
            max_attempts=rt.settings.job_max_attempts,
            actor=f"cli:{getpass.getuser()}",
            account_ref=account,
            dry_run=dry_run,
        )
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(summary.reasons.items()))
    console.print(
        f"{'dry run, nothing kept: ' if dry_run else ''}decided again for "
        f"{counted(summary.considered, 'stored clip')} at rate {policy.rate}: "
        f"{summary.sampled} sampled{' (queued for the privacy pipeline)' if not dry_run else ''}"
        + (f"; {reasons}" if reasons else "")
    )
    if summary.skipped_accounts:
        console.print(
            f"skipped {counted(summary.skipped_accounts, 'account')} whose consent allows no "
            'review, no storage, or keeps nothing ("don\'t save")'
        )

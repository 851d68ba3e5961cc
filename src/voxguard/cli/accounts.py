"""voxguard accounts consent"""

from __future__ import annotations

from enum import StrEnum

import typer

from voxguard.cli.context import console, fail, runtime
from voxguard.consent.service import change_consent, get_account

app = typer.Typer(help="Accounts and consent.", no_args_is_help=True)


class Review(StrEnum):
    opted_in = "opted_in"
    opted_out = "opted_out"


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


@app.command()
def consent(
    ref: str = typer.Argument(..., help="The operator's account reference."),
    review: Review = typer.Option(None, "--review", help="Human review consent."),
    store: YesNo = typer.Option(None, "--store", help="May recordings be stored?"),
) -> None:
    """Record a consent change (a new version; opting out cancels open work at once)."""
    if review is None and store is None:
        raise fail("give --review and/or --store")
    with runtime() as rt, rt.db.session() as session:
        record = change_consent(
            session,
            get_account(session, ref),
            review=review.value if review else None,
            store=None if store is None else store is YesNo.yes,
            source="cli",
            actor="cli:operator",
        )
        version, human, stored = record.version, record.human_review, record.store_recordings
    console.print(f"{ref}: consent v{version}: review {human}, store {'yes' if stored else 'no'}")

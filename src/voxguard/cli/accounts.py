"""voxguard accounts consent"""

from __future__ import annotations

from enum import StrEnum

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, refusals, runtime
from voxguard.consent.errors import InvalidConsent
from voxguard.consent.service import change_consent, get_account

app = App(help="Accounts and consent.", no_args_is_help=True)


class Review(StrEnum):
    opted_in = "opted_in"
    opted_out = "opted_out"


class YesNo(StrEnum):
    yes = "yes"
    no = "no"


class Retention(StrEnum):
    dont_save = "dont_save"
    three_months = "3_months"
    eighteen_months = "18_months"
    until_deleted = "until_deleted"


def _yes(value: YesNo | None) -> bool | None:
    return None if value is None else value is YesNo.yes


@app.command()
def consent(
    ref: str = typer.Argument(..., help="The operator's account reference."),
    review: Review = typer.Option(None, "--review", help="Human review consent."),
    store: YesNo = typer.Option(None, "--store", help="May recordings be stored?"),
    training: YesNo = typer.Option(None, "--training", help="May they train the models?"),
    retention: Retention = typer.Option(None, "--retention", help="How long to keep them."),
) -> None:
    """Record a consent change (a new version; opting out cancels open work at once)."""
    if review is None and store is None and training is None and retention is None:
        raise fail("give --review, --store, --training and/or --retention")
    with runtime() as rt, refusals(InvalidConsent), rt.db.session() as session:
        record = change_consent(
            session,
            get_account(session, ref),
            review=review.value if review else None,  # type: ignore[arg-type]
            store=_yes(store),
            model_training=_yes(training),
            retention=retention.value if retention else None,  # type: ignore[arg-type]
            notice_version=rt.settings.privacy_notice_version,
            source="cli",
            actor="cli:operator",
        )
        summary = (
            f"consent v{record.version}: review {record.human_review}, "
            f"store {'yes' if record.store_recordings else 'no'}, "
            f"training {'yes' if record.model_training else 'no'}, "
            f"retention {record.retention}"
        )
    console.print(f"{ref}: {summary}")

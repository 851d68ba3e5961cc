"""voxguard accounts consent | erase | link"""

from __future__ import annotations

from enum import StrEnum

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, refusals, runtime
from voxguard.consent import erasure, self_service
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
    """Record a consent change. It is a new version; opting out cancels open work at once."""
    if review is None and store is None and training is None and retention is None:
        raise fail("give --review, --store, --training and/or --retention")
    with runtime(create=False) as rt, refusals(InvalidConsent), rt.db.session() as session:
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


Channel = StrEnum("Channel", {c: c for c in erasure.OPERATOR_CHANNELS})  # type: ignore[misc]


@app.command()
def erase(
    ref: str = typer.Argument(..., help="The operator's account reference."),
    recording: str = typer.Option(
        None, "--recording", help="Erase only this recording (its id), not the whole account."
    ),
    channel: Channel = typer.Option(
        ..., "--channel", help="How the person asked (kept on the receipt; no free text)."
    ),
    yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone."),
) -> None:
    """Carry out an erasure request. For one received outside the privacy API (a letter, a call)."""
    if not yes:
        raise fail("erasure cannot be undone: add --yes to confirm")
    with runtime(create=False) as rt, refusals():
        with rt.db.session() as session:
            receipt = erasure.erase(
                session,
                rt.settings,
                rt.vault,
                get_account(session, ref).id,
                recording or None,
                actor="cli:operator",
                channel=channel.value,
            )
            holding = receipt.details.get("exports_holding", [])
            held = ", ".join(sorted({str(e["export_id"]) for e in holding}))
            summary = f"erasure {receipt.id} ({receipt.kind}) completed {receipt.completed_at}"
        rt.db.purge_deleted_pages()  # no old copy of a deleted row left in SQLite's log
    console.print(summary)
    if held:
        console.print(f"recall these exports, which held the data: {held}")


@app.command()
def link(
    ref: str = typer.Argument(..., help="The operator's account reference."),
    base_url: str = typer.Option(
        None, "--base-url", help="Where people reach voxguard (default: the host and port set)."
    ),
) -> None:
    """Print a one-time link to the person's privacy page.

    The link opens /me once, within the minutes set; support passes it to the person (the
    operator's app gets the same from the privacy API)."""
    with runtime(create=False) as rt, refusals(), rt.db.session() as session:
        new = self_service.create_link(
            session, rt.settings, get_account(session, ref).id, actor="cli:operator"
        )
        url = new.url(base_url or f"http://{rt.settings.host}:{rt.settings.port}")
    minutes = rt.settings.self_service_link_minutes
    console.print(f"{url}\nopens once, within {minutes} minutes; give it only to {ref}")

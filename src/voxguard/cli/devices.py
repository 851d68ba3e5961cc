"""voxguard devices add | revoke"""

from __future__ import annotations

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, runtime
from voxguard.ingest.devices import add_device, revoke_device

app = App(help="Device tokens.", no_args_is_help=True)


@app.command()
def add(
    account: str = typer.Option(..., "--account", help="The operator's account reference."),
    serial: str = typer.Option(..., "--serial", help="The device serial number."),
    region: str = typer.Option(None, "--region", help="Data region of a new account."),
) -> None:
    """Create a device token (printed once; stored only as a hash)."""
    with runtime() as rt, rt.db.session() as session:
        created = add_device(
            session,
            account_ref=account,
            serial=serial,
            region=(region or rt.settings.default_data_region).lower(),
            defaults=rt.consent_defaults,
            vault=rt.vault,
            actor="cli:operator",
        )
        token = created.token
    console.print("Device token (shown once, store it on the device):")
    typer.echo(token)


@app.command()
def revoke(
    account: str = typer.Option(..., "--account"), serial: str = typer.Option(..., "--serial")
) -> None:
    """Revoke a device's token: its uploads are refused from now on."""
    with runtime(create=False) as rt, rt.db.session() as session:
        revoke_device(session, account_ref=account, serial=serial, actor="cli:operator")
    console.print(f"revoked device {serial}")

"""voxguard users add | list | unlock | disable | reset"""

from __future__ import annotations

import io
from enum import StrEnum

import qrcode
import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, runtime
from voxguard.db.models import User
from voxguard.people.service import (
    create_user,
    disable_user,
    list_users,
    reset_credentials,
    unlock_user,
    user_status,
)

app = App(
    help="People who sign in: reviewers, leads, privacy officers, admins.", no_args_is_help=True
)

ACTOR = "cli:operator"


class RoleChoice(StrEnum):
    reviewer = "reviewer"
    lead = "lead"
    privacy_officer = "privacy_officer"
    admin = "admin"


def qr_text(data: str) -> str:
    """The QR code of ``data`` drawn with block characters, for scanning off a terminal."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    out = io.StringIO()
    # Dark-on-light as printed; terminals with a dark background need it inverted to scan.
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def _show_credentials(user: User, one_time: str, uri: str, *, qr: bool) -> None:
    # Plain echo, not rich: secrets must reach the terminal exactly, never re-wrapped.
    typer.echo(f"user:     {user.username}")
    typer.echo(f"handle:   {user.handle}")
    typer.echo(f"role:     {user.role}")
    typer.echo(f"region:   {user.region}")
    typer.echo(f"one-time password (change at first sign-in): {one_time}")
    typer.echo(f"TOTP provisioning URI: {uri}")
    if qr:
        typer.echo("Scan with an authenticator app:")
        typer.echo(qr_text(uri))
    typer.echo("Both are shown once and not stored in the clear.")


@app.command()
def add(
    name: str = typer.Option(..., "--name", help="Username for signing in."),
    role: RoleChoice = typer.Option(..., "--role", help="What the person may do."),
    region: str = typer.Option(
        None, "--region", help="Reviewer's region (data residency); default: the configured one."
    ),
    qr: bool = typer.Option(True, "--qr/--no-qr", help="Also draw the TOTP URI as a QR code."),
) -> None:
    """Create a user. Prints a one-time password and the TOTP URI (also as a QR code)."""
    with runtime() as rt, rt.db.session() as session:
        user, one_time, uri = create_user(
            session,
            rt.vault,
            username=name,
            role=role.value,
            region=region or rt.settings.default_data_region,
            actor=ACTOR,
        )
    _show_credentials(user, one_time, uri, qr=qr)


@app.command("list")
def list_cmd() -> None:
    """List users with role, region and state.

    State: active, locked, disabled or must change password.
    """
    with runtime(create=False) as rt, rt.db.read() as session:
        users = list_users(session)
    if not users:
        console.print("no users yet: voxguard users add --name … --role … --region …")
        return
    rows = [("username", "handle", "role", "region", "state", "failures", "created")]
    rows += [
        (
            user.username,
            user.handle,
            user.role,
            user.region,
            user_status(user),
            str(user.failed_logins),
            user.created_at.strftime("%Y-%m-%d"),
        )
        for user in users
    ]
    # Plain aligned columns, never wrapped or truncated, so the list also reads well in scripts.
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


@app.command()
def unlock(name: str = typer.Argument(..., help="Username.")) -> None:
    """Clear failed sign-ins and the lock."""
    with runtime(create=False) as rt, rt.db.session() as session:
        unlock_user(session, name, actor=ACTOR)
    console.print(f"unlocked {name}")


@app.command()
def disable(name: str = typer.Argument(..., help="Username.")) -> None:
    """Disable an account. No sign-in, and its open sessions end at once."""
    with runtime(create=False) as rt, rt.db.session() as session:
        disable_user(session, name, actor=ACTOR)
    console.print(f"disabled {name}")


@app.command()
def reset(
    name: str = typer.Argument(..., help="Username."),
    qr: bool = typer.Option(True, "--qr/--no-qr", help="Also draw the TOTP URI as a QR code."),
) -> None:
    """Issue a new one-time password and TOTP secret. For a lost phone, say; ends all sessions."""
    with runtime(create=False) as rt, rt.db.session() as session:
        user, one_time, uri = reset_credentials(session, rt.vault, name, actor=ACTOR)
    _show_credentials(user, one_time, uri, qr=qr)

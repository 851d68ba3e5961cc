"""voxguard tokens add | list | revoke"""

from __future__ import annotations

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, runtime
from voxguard.consent.service_tokens import SCOPES, add_token, list_tokens, revoke_token
from voxguard.web.words import counted

app = App(help="Service tokens for operators' apps (the privacy API).", no_args_is_help=True)


@app.command()
def add(
    name: str = typer.Option(..., "--name", help="Which app holds it (shown in the audit log)."),
    scope: list[str] = typer.Option(
        ..., "--scope", help=f"What it may do: {', '.join(SCOPES)} (repeatable)."
    ),
) -> None:
    """Create a token (printed once; stored only as a hash)."""
    with runtime() as rt, rt.db.session() as session:
        _id, token = add_token(session, name=name, scopes=scope, actor="cli:operator")
    console.print(f"Service token for {name} (shown once, keep it in the app's secrets):")
    typer.echo(token)


@app.command("list")
def list_() -> None:
    """List every token. Name, scopes, created, revoked (never the token itself)."""
    with runtime(create=False) as rt, rt.db.read() as session:
        rows = list_tokens(session)
    if not rows:
        console.print("no service tokens")
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "live"
        console.print(
            f"{row.id}  {row.name:<24} {row.scopes:<16} {row.created_at:%Y-%m-%d}  {state}"
        )


@app.command()
def revoke(name: str = typer.Argument(..., help="The token's name or id.")) -> None:
    """Revoke a token: its calls are refused from now on."""
    with runtime(create=False) as rt, rt.db.session() as session:
        count = revoke_token(session, name_or_id=name, actor="cli:operator")
    if count == 0:
        raise fail(f"no live token named {name!r}", 1)
    console.print(f"revoked {counted(count, 'token')} named {name}")

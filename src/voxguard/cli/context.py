"""Building the runtime for a command, turning known failures into clear exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from voxguard.config import Settings, get_settings
from voxguard.db.migrate import SchemaOutOfDate, ensure_schema_current
from voxguard.runtime import Runtime, build_runtime
from voxguard.vault.errors import VaultError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return get_settings()
    except (ValidationError, ValueError) as exc:
        raise fail(f"invalid configuration: {exc}") from exc


@contextmanager
def runtime(*, require_schema: bool = True) -> Iterator[Runtime]:
    settings = load_settings()
    try:
        rt = build_runtime(settings)
    except VaultError as exc:
        raise fail(str(exc)) from exc
    try:
        if require_schema:
            try:
                ensure_schema_current(rt.db.engine)
            except SchemaOutOfDate as exc:
                raise fail(str(exc)) from exc
        yield rt
    finally:
        rt.close()

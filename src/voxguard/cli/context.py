"""Building the runtime for a command, and the one place failures become exit codes.

Exit 1: the command ran and was refused (an unknown name, bad input, a failed check).
Exit 2: the command cannot run here (usage, configuration, master key, database schema).
Exits 3 to 6: the feedback commands' refusals, each its own (EXIT_BY_REFUSAL), so a script can
tell an empty curated set from an unusable output directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from voxguard.config import Settings, get_settings
from voxguard.consent.backups import BackupError
from voxguard.consent.errors import RightsError
from voxguard.consent.ledger import LedgerError
from voxguard.db.migrate import SchemaOutOfDate, ensure_schema_current
from voxguard.feedback.errors import (
    HeldOutTooSmall,
    LineageChanged,
    NothingCurated,
    OutputUnusable,
    UnknownFormat,
    UnknownModel,
)
from voxguard.ingest.devices import DeviceAuthError, UnknownDevice
from voxguard.ingest.importer import ManifestError
from voxguard.ingest.service import UploadRejected
from voxguard.people.errors import AuthError, UserAdminError
from voxguard.runtime import NothingToRead, Runtime, build_runtime
from voxguard.vault.errors import VaultError

EXIT_REFUSED = 1
EXIT_UNUSABLE = 2

# Domain refusals any command may end with: the message is printed, the exit is EXIT_REFUSED.
REFUSALS: tuple[type[Exception], ...] = (
    UploadRejected,
    ManifestError,
    DeviceAuthError,
    UnknownDevice,
    RightsError,
    LedgerError,
    BackupError,
    AuthError,
    UserAdminError,
)

# Refusals with an exit code of their own (a subclass takes its nearest listed base's).
EXIT_BY_REFUSAL: dict[type[Exception], int] = {
    UnknownFormat: EXIT_UNUSABLE,  # a usage error: --format or --audio
    UnknownModel: EXIT_UNUSABLE,
    NothingCurated: 3,  # nothing written
    OutputUnusable: 4,  # --out cannot be created or written, or is not empty
    LineageChanged: 5,  # a clip left the curated set during the export; run it again
    HeldOutTooSmall: 6,  # no held-out account to measure on
}

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def refusals(*input_errors: type[Exception]) -> Iterator[None]:
    """End the command with EXIT_REFUSED on a domain refusal or one of `input_errors`."""
    try:
        yield
    except (*REFUSALS, *EXIT_BY_REFUSAL, *input_errors) as exc:
        code = next(
            (EXIT_BY_REFUSAL[t] for t in type(exc).__mro__ if t in EXIT_BY_REFUSAL), EXIT_REFUSED
        )
        raise fail(str(exc), code) from exc


def load_settings() -> Settings:
    try:
        return get_settings()
    except (ValidationError, ValueError) as exc:
        raise fail(f"invalid configuration: {exc}") from exc


@contextmanager
def runtime(*, require_schema: bool = True, create: bool = True) -> Iterator[Runtime]:
    """``create=False``: a command that reads or changes an existing system (status, lists,
    verify, reports, exports, backups, ingest, sampling, consent, erasure, revocations) creates
    nothing where there is none (no master key, database or blob folder); it says what is
    missing and exits 2. Only commands that can start a system create one: db upgrade, demo,
    the adds, serve, worker."""
    settings = load_settings()
    try:
        rt = build_runtime(settings, create=create)
    except (VaultError, NothingToRead) as exc:
        raise fail(str(exc)) from exc
    try:
        if require_schema:
            try:
                ensure_schema_current(rt.db.engine)
            except SchemaOutOfDate as exc:
                raise fail(str(exc)) from exc
        with refusals():
            yield rt
    finally:
        rt.close()

"""The Typer app every command group is built from, so ``--help`` reads cleanly everywhere.

Typer's own help marks every flag ``<bool>`` (``--help <bool>``), folds long choice lists
mid-word in its tables (``privacy_off icer|ad min``), and names required arguments ``{source}``
in the usage line, which reads like a template left unrendered. The root app uses Click's plain
help (``rich_markup_mode=None``: flags untyped, text wrapped at spaces), and every command's usage
line names its arguments in capitals as Click does: ``voxguard ingest [OPTIONS] SOURCE``.
``tests/cli/test_help.py`` walks every command's help at 80 columns.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand


def _usage_name(param: TyperArgument) -> str:
    name = param.metavar or (param.name or "").upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


class Command(TyperCommand):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_usage_name(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class App(typer.Typer):
    """``typer.Typer`` whose commands are :class:`Command` (the root also sets plain help)."""

    def command(self, name: str | None = None, *, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or Command, **kwargs)

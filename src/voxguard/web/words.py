"""Counted nouns for what people read on pages and in the terminal: "1 clip", "2 clips"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"

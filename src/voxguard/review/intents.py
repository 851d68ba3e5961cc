"""The intents reviewers and leads may choose: one list per deployment, checked by the domain.

The list is a text file, one intent per line (``#`` starts a comment), named by the setting
``intents_file``; without it, the list shipped beside this module. Submissions, adjudications
and gold references are checked against it here, and the pages read it through the API.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from voxguard.config import Settings
from voxguard.review.errors import ReviewError

DEFAULT_INTENTS_FILE = Path(__file__).with_name("intents.txt")
# The intent a clip not meant for the assistant gets (the workbench fills it in with the flag).
NOT_FOR_ASSISTANT = "not_for_assistant"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")


class IntentFileError(ValueError):
    """The configured intents file is missing or malformed (a deployment error, not input)."""


class UnknownIntent(ReviewError):
    code = "unknown_intent"


@dataclass(frozen=True)
class IntentList:
    names: tuple[str, ...]
    source: Path

    def check(self, intent: str, *, false_wake: bool = False) -> str:
        """The intent, stripped, if the list has it; empty is allowed for a false wake only."""
        value = intent.strip()
        if value in self.names or (not value and false_wake):
            return value
        if not value:
            raise UnknownIntent(
                "choose an intent (empty only for a clip not meant for the assistant)"
            )
        raise UnknownIntent(
            f"unknown intent {value!r}: this deployment's list ({self.source.name}) has "
            f"{len(self.names)} intents; GET /api/v1/review/intents lists them"
        )


def parse_intents(text: str, source: Path) -> IntentList:
    names: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not _NAME.match(line):
            raise IntentFileError(
                f"{source}:{number}: {line!r} is not an intent name "
                "(lower-case letters, digits, '_', '.', '-'; at most 128 characters)"
            )
        if line in names:
            raise IntentFileError(f"{source}:{number}: {line!r} is listed twice")
        names.append(line)
    if not names:
        raise IntentFileError(f"{source} lists no intents")
    return IntentList(tuple(names), source)


_cache: dict[tuple[str, int, int], IntentList] = {}
_lock = threading.Lock()


def intent_list(settings: Settings) -> IntentList:
    """The deployment's intents, read again only when the file changes."""
    path = settings.intents_file or DEFAULT_INTENTS_FILE
    try:
        stat = path.stat()
    except OSError as exc:
        raise IntentFileError(f"the intents file {path} cannot be read: {exc}") from exc
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise IntentFileError(f"the intents file {path} cannot be read: {exc}") from exc
            cached = parse_intents(text, path)
            _cache[key] = cached
    return cached


__all__ = [
    "DEFAULT_INTENTS_FILE",
    "NOT_FOR_ASSISTANT",
    "IntentFileError",
    "IntentList",
    "UnknownIntent",
    "intent_list",
    "parse_intents",
]

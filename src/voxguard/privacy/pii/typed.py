"""What a person typed about a redacted clip, de-identified before anyone stores it.

A reviewer writes down what they hear, with a tag ("[PERSON]") where they heard a bleep. A name
or number in what they typed is one the bleeps missed (most often a name the draft's ASR
misheard, so no bleep covered it), and it must not be stored: the typed value becomes its tag,
as in the draft.

The tags already in the text stand for values hidden before, so they are never found again, and
they give the words around them their context: "[PERSON] smith" is a surname left over from a
name, so a PERSON tag is read as a given name while detecting and a word it draws into its name
is folded into the tag ("[PERSON]").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import PiiDetector, get_detector
from .entities import PERSON

TAG = re.compile(r"\[([A-Z_]+)\]")
# What a PERSON tag reads as while detecting: a given name in every name list, so the words
# next to it are judged as the rest of a name.
_PERSON_STAND_IN = "john"


@dataclass(frozen=True)
class TypedRedaction:
    text: str  # what may be stored: every value found replaced by its tag
    found: tuple[str, ...]  # the PII types found in what was typed (sorted, once each)


def redact_typed(text: str, detector: PiiDetector | None = None) -> TypedRedaction:
    """``text`` with the PII found outside its tags replaced by tags, and the types found."""
    detector = detector or get_detector()
    # each tag becomes a stand-in word of the same length class; remember where it is
    stand_ins: list[tuple[int, int, str]] = []  # (start, end, tag) in the detected text
    parts: list[str] = []
    last = 0
    for match in TAG.finditer(text):
        parts.append(text[last : match.start()])
        start = sum(len(p) for p in parts)
        word = _PERSON_STAND_IN if match.group(1) == PERSON else match.group(0)
        parts.append(word)
        stand_ins.append((start, start + len(word), match.group(0)))
        last = match.end()
    parts.append(text[last:])
    probe = "".join(parts)

    def in_stand_in(pos: int) -> tuple[int, int, str] | None:
        return next((s for s in stand_ins if s[0] <= pos < s[1]), None)

    # per character of the probe: the tag it belongs to, or the type a span gave it
    hidden: list[str | None] = [None] * len(probe)
    found: set[str] = set()
    for span in detector.detect(probe):
        for pos in range(span.start, span.end):
            if in_stand_in(pos) is None and not probe[pos].isspace():
                hidden[pos] = span.type
                found.add(span.type)
        # a found word joined to a tag of its own type belongs to that tag
        for start, end, tag in stand_ins:
            if span.start < end and start < span.end and tag == f"[{span.type}]":
                for pos in range(span.start, span.end):
                    if hidden[pos] == span.type:
                        hidden[pos] = tag
    out: list[str] = []
    pos = 0
    while pos < len(probe):
        stand_in = in_stand_in(pos)
        if stand_in is not None:
            out.append(stand_in[2])
            pos = stand_in[1]
            continue
        typ = hidden[pos]
        if typ is None:
            out.append(probe[pos])
            pos += 1
            continue
        end = pos
        while end < len(probe) and (hidden[end] == typ or probe[end].isspace()):
            if probe[end].isspace() and not _continues(hidden, probe, end, typ):
                break
            end += 1
        if not typ.startswith("["):  # a tag it joins is written once, where the tag stands
            out.append(f"[{typ}]")
        pos = end
    return TypedRedaction(_tidy("".join(out)), tuple(sorted(found)))


def _continues(hidden: list[str | None], probe: str, pos: int, typ: str) -> bool:
    """Whether the run of ``typ`` goes on after the spaces at ``pos``."""
    while pos < len(probe) and probe[pos].isspace():
        pos += 1
    return pos < len(probe) and hidden[pos] == typ


def _tidy(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", text).strip()

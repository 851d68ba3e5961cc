"""What a person typed about a redacted clip, de-identified before anyone stores it.

A reviewer writes down what they hear, with a tag ("[PERSON]") where they heard a bleep. A name
or number in what they typed is one the bleeps missed (most often a name the draft's ASR
misheard, so no bleep covered it), and it must not be stored: the typed value becomes its tag,
as in the draft.

The tags stay in the text the detector reads: an unknown word where a value was, which is how
the draft's detector saw the words around the value too. So "[PERSON] smith" gives up a surname
left over from a name, and that word folds into the tag beside it ("[PERSON]"); a tag itself is
never found again. (A given name put in the tag's place instead made ordinary words after it
read as surnames: "[PERSON] said it hurts".)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import PiiDetector, get_detector

TAG = re.compile(r"\[[A-Z_]+\]")


@dataclass(frozen=True)
class TypedRedaction:
    text: str  # what may be stored: every value found replaced by its tag
    found: tuple[str, ...]  # the PII types found in what was typed (sorted, once each)


def redact_typed(text: str, detector: PiiDetector | None = None) -> TypedRedaction:
    """``text`` with the PII found outside its tags replaced by tags, and the types found."""
    detector = detector or get_detector()
    tags = [(m.start(), m.end()) for m in TAG.finditer(text)]

    def in_tag(pos: int) -> bool:
        return any(start <= pos < end for start, end in tags)

    # per character: the type of the span that hides it, or None
    hidden: list[str | None] = [None] * len(text)
    found: set[str] = set()
    for span in detector.detect(text):
        # a word found beside a tag of its own type, in one span with it, is part of that value
        joins_tag = any(
            span.start < end and start < span.end and text[start:end] == f"[{span.type}]"
            for start, end in tags
        )
        for pos in range(span.start, span.end):
            if not in_tag(pos) and not text[pos].isspace():
                hidden[pos] = "" if joins_tag else span.type
                found.add(span.type)
    out: list[str] = []
    pos = 0
    while pos < len(text):
        typ = hidden[pos]
        if typ is None:
            out.append(text[pos])
            pos += 1
            continue
        while pos < len(text) and (hidden[pos] == typ or _inside_run(hidden, text, pos, typ)):
            pos += 1
        if typ:  # "" joins the tag already written beside it
            out.append(f"[{typ}]")
    return TypedRedaction(re.sub(r"[ \t]{2,}", " ", "".join(out)).strip(), tuple(sorted(found)))


def _inside_run(hidden: list[str | None], text: str, pos: int, typ: str) -> bool:
    """A space between two words of one hidden run."""
    if not text[pos].isspace():
        return False
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos < len(text) and hidden[pos] == typ

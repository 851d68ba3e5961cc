"""The name gazetteer shipped beside the tagger: given names and surnames of many locales.

Built at training time from the person lists of Faker's locales that no evaluation holds out
(``bench/pii_corpus.py``: ``gazetteer_locales``), folded to lower-case ASCII, and stored with the
model as ``model/pii-tagger-v<N>-names.json.gz`` (sorted, gzip without a timestamp: the same
Faker gives the same bytes). US census names already are in ``Lexicon``; these add the names of
the other languages, which the CRF reads as word classes ("gfirst", "gsur").
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Gazetteer:
    first: frozenset[str]
    last: frozenset[str]

    def to_bytes(self) -> bytes:
        doc = {"first": sorted(self.first), "last": sorted(self.last)}
        raw = json.dumps(doc, separators=(",", ":")).encode()
        return gzip.compress(raw, compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes) -> Gazetteer:
        doc = json.loads(gzip.decompress(data))
        return cls(frozenset(doc["first"]), frozenset(doc["last"]))

    @classmethod
    def read(cls, path: Path) -> Gazetteer:
        return cls.from_bytes(path.read_bytes())


def name_words(names: Iterable[str], fold: object) -> set[str]:
    """The words of ``names`` as an English ASR model writes them: folded, split at spaces,
    hyphens and dots, apostrophes dropped, letters only, two letters or more."""
    out: set[str] = set()
    for name in names:
        for part in str(fold(name)).replace("-", " ").replace(".", " ").split():  # type: ignore[operator]
            w = part.replace("'", "")
            if len(w) >= 2 and w.isascii() and w.isalpha():
                out.add(w)
    return out

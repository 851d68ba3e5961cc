""" "john dot smith at gmail dot com", "barbara m probst at freemail dot hu", "jack@gmail dot com".

An e-mail is found from its domain: "at" (or "@") followed by labels joined by "dot" that end in a
public suffix (tldextract's bundled list, offline). The local part is then read leftwards: words
joined by "dot"/"underscore"/"dash", digits glued to a name, spelled initials, and up to
``MAX_BARE_LOCAL_WORDS`` name-like words said with no joiner at all ("first middle last at ...").
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.privacy.pii.entities import EMAIL_ADDRESS
from voxguard.privacy.pii.lexicon import COMM_VERBS, DOMAIN_WORDS, Lexicon, wordset

from . import scores
from .base import ALNUM_RE, SpokenRecognizer, Tok, result

_EMAIL_JOINERS = wordset("dot underscore dash hyphen period point")
_DOTS = wordset("dot period point .")
_LOCAL_STOP = wordset("to is at my me email mail send address the a an and of for")
# The first domain label may be said as up to this many words ("my company dot com").
MAX_DOMAIN_LABEL_WORDS = 3
# Name-like words before "at" with no joiner between them ("barbara m probst at ...").
MAX_BARE_LOCAL_WORDS = 3
_TLD_EXTRACTOR = None


def suffix_ok(domain: str) -> bool:
    """True if ``domain`` ends in a public suffix, using tldextract's bundled snapshot only."""
    global _TLD_EXTRACTOR
    if _TLD_EXTRACTOR is None:
        import tldextract

        # No URLs and no cache dir: tldextract uses the public suffix list snapshot shipped in
        # the wheel and never touches the network or the disk.
        _TLD_EXTRACTOR = tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
        )
    ext = _TLD_EXTRACTOR(domain)
    return bool(ext.suffix) and bool(ext.domain)


def _domain_end(toks: list[Tok], s: int, at_tok: str) -> int | None:
    """End of a domain starting at token s that ends in a public suffix, or None."""
    n = len(toks)
    labels: list[str] = []
    if at_tok != "@" and "@" in at_tok:
        first = at_tok.split("@", 1)[1]
        if not first:
            return None
        labels.append(first)
        k = s + 1
    else:
        k = s
        label = []
        while (
            k < n
            and len(label) < MAX_DOMAIN_LABEL_WORDS
            and ALNUM_RE.fullmatch(toks[k].text)
            and (toks[k].text not in _EMAIL_JOINERS and toks[k].text != "at")
        ):
            label.append(toks[k].text)
            k += 1
        if not label:
            return None
        labels.append("".join(label))
    best = None
    while k + 1 < n and toks[k].text in _DOTS:
        nxt = toks[k + 1].text
        if not ALNUM_RE.fullmatch(nxt):
            break
        labels.append(nxt)
        k += 2
        if suffix_ok(".".join(labels)):
            best = k
    # also a written domain inside one token ("gmail.com")
    if best is None and "." in labels[0] and suffix_ok(labels[0]):
        best = s + 1
    return best


class SpokenEmailRecognizer(SpokenRecognizer):
    """E-mail addresses said out loud (see the module doc)."""

    ENTITIES = (EMAIL_ADDRESS,)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for a, tok in enumerate(toks):
            t = tok.text
            spoken_at = t in ("at", "@")
            if not spoken_at and ("@" not in t or t.startswith("@")):
                continue
            end = _domain_end(toks, a + 1 if spoken_at else a, t)
            if end is None:
                continue
            if spoken_at:
                start = self._local_start(toks, a)
            else:  # the token holds both sides: its local part may go on leftwards
                start = self._local_start(toks, a + 1, include_last=True) or a
            if start is not None:
                out.append(result(EMAIL_ADDRESS, toks, start, end, scores.SPOKEN_EMAIL))
        return out

    def _local_start(self, toks: list[Tok], end: int, include_last: bool = False) -> int | None:
        """Start of the local part that ends just before token ``end``."""
        k = end - 1
        if k < 0:
            return None
        w = toks[k].text
        if not include_last and (not ALNUM_RE.fullmatch(w) or w in _EMAIL_JOINERS):
            return None
        start = _joined_start(toks, k)
        # spelled initials glued to the name ("j smith")
        while start - 1 >= 0 and _initial(toks[start - 1].text):
            start -= 1
        # name words said without joiners ("barbara m probst at ...")
        bare = 0
        while (
            start - 1 >= 0
            and bare < MAX_BARE_LOCAL_WORDS
            and (_initial(toks[start - 1].text) or _name_like(toks[start - 1].text, self.lexicon))
        ):
            start -= 1
            bare += 1
        return start


def _joined_start(toks: list[Tok], k: int) -> int:
    """Walk left over "word joiner word" pairs and digits glued to a word ("kyrie ninety four")."""
    start = k
    while True:
        if (
            start - 2 >= 0
            and toks[start - 1].text in _EMAIL_JOINERS
            and ALNUM_RE.fullmatch(toks[start - 2].text)
        ):
            start -= 2
        elif (
            start - 1 >= 0
            and toks[start].text.isdigit()
            and re.fullmatch(r"[a-z]+", toks[start - 1].text)
            and toks[start - 1].text not in _LOCAL_STOP
        ):
            start -= 1
        else:
            return start


def _initial(w: str) -> bool:
    return len(w) == 1 and w.isalpha() and w not in ("a", "i")


def _name_like(w: str, lexicon: Lexicon) -> bool:
    """A word that can be part of a person's name in an address, not a word of the request."""
    if w in _LOCAL_STOP or w in COMM_VERBS or w in DOMAIN_WORDS or w in lexicon.stop_words:
        return False
    return (
        lexicon.name_dominant(w)
        or lexicon.unknown_word(w)
        or lexicon.rare_surname(w)
        or (w in lexicon.first_names and not lexicon.is_non_noun_word(w))
    )

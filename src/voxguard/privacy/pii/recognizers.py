"""Presidio recognizers for spoken-form PII.

Each recognizer runs on the *normalised* text produced by ``numbers.normalise``: lower-case,
one space between tokens, spelled numbers already turned into digits ("5 5 5 12 34"). They work on
the token sequence rather than on one big regex, because spoken PII is a sequence of words whose
meaning depends on cue words nearby ("account number", "born on", "call").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from .lexicon import (
    ADDRESS_STOP,
    BRANDS,
    COMM_VERBS,
    DIRECTIONS,
    DOMAIN_WORDS,
    IBAN_LENGTHS,
    MONTHS,
    NAME_INTRO_PHRASES,
    ORDINAL_WORDS,
    PLACES,
    RELATIONS,
    STREET_SUFFIXES,
    STRONG_NAME_CUES,
    TITLES,
    UNIT_WORDS,
    US_STATES,
    US_STATES_MULTI,
    WAKE_WORDS,
    WEAK_NAME_CUES,
    WEAK_STREET_SUFFIXES,
    Lexicon,
    wordset,
)

PERSON = "PERSON"
PHONE_NUMBER = "PHONE_NUMBER"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
STREET_ADDRESS = "STREET_ADDRESS"
CREDIT_CARD = "CREDIT_CARD"
US_SSN = "US_SSN"
IBAN_CODE = "IBAN_CODE"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
POSTCODE = "POSTCODE"

ALL_TYPES = (
    PERSON,
    PHONE_NUMBER,
    EMAIL_ADDRESS,
    STREET_ADDRESS,
    CREDIT_CARD,
    US_SSN,
    IBAN_CODE,
    DATE_OF_BIRTH,
    ACCOUNT_NUMBER,
    POSTCODE,
)

_DIGITS_RE = re.compile(r"\d+(?:-\d+)*")
_ALNUM_RE = re.compile(r"[a-z0-9]+")
_ORD_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_UK_POSTCODE_RE = re.compile(r"[a-z]{1,2}\d[a-z\d]?\d[a-z]{2}")
_YEAR_RE = re.compile(r"(19|20)\d\d")
_ROUND_RE = re.compile(r"\d*[1-9]0{5,}")
_FILLERS = wordset("uh um er ah hmm")
_DIGIT_JOINERS = wordset("dash hyphen - and") | _FILLERS


@dataclass(frozen=True)
class Tok:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Tok]:
    """Tokens of the normalised text (single spaces, so a split keeps exact offsets)."""
    out: list[Tok] = []
    pos = 0
    for part in text.split(" "):
        if part:
            out.append(Tok(part, pos, pos + len(part)))
        pos += len(part) + 1
    return out


def _result(entity: str, toks: Sequence[Tok], i: int, j: int, score: float) -> RecognizerResult:
    return RecognizerResult(entity, toks[i].start, toks[j - 1].end, score)


def _is_digit_tok(t: str) -> bool:
    return bool(_DIGITS_RE.fullmatch(t))


def luhn_ok(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(code: str) -> bool:
    code = code.upper()
    if len(code) < 15 or not code[:2].isalpha() or not code[2:4].isdigit():
        return False
    moved = code[4:] + code[:4]
    num = "".join(str(int(ch, 36)) for ch in moved)
    return int(num) % 97 == 1


class _SpokenRecognizer(EntityRecognizer):
    """Base: tokenises once and hands tokens to ``find``."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=list(self.ENTITIES), supported_language="en")

    def load(self) -> None:  # nothing to load: word lists come with the lexicon
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else set(self.ENTITIES)
        return [r for r in self.find(tokenize(text), nlp_artifacts) if r.entity_type in wanted]

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        raise NotImplementedError


# --------------------------------------------------------------------------- numbers
_CARD_CUES = wordset("card visa mastercard amex discover credit debit cc maestro")
_CVV_CUES = wordset("cvv cvc cvv2 csc")
_SSN_CUES = wordset("ssn social")
_ACCOUNT_CUES = wordset(
    """account acct routing sort membership member customer policy iban bank reference passport
    license licence"""
)
_PHONE_CUES = wordset(
    """call phone dial cell mobile text ring contact reach fax telephone landline extension
    whatsapp sms"""
)


def _digit_runs(toks: list[Tok]) -> list[tuple[int, int]]:
    """Maximal runs of digit tokens, allowing "dash"/fillers between groups."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not _is_digit_tok(toks[i].text):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_digit_tok(toks[j].text):
                j += 1
            elif (
                toks[j].text in _DIGIT_JOINERS
                and j + 1 < n
                and _is_digit_tok(toks[j + 1].text)
                and toks[j].text != "and"
            ):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _nearest_cue(toks: list[Tok], i: int, window: int = 7) -> tuple[str | None, int]:
    """Type of the closest cue word before token i, and its distance."""
    for back in range(1, window + 1):
        k = i - back
        if k < 0:
            break
        w = toks[k].text
        if w in _CVV_CUES or (w == "code" and k > 0 and toks[k - 1].text == "security"):
            return "cvv", back
        if w in _CARD_CUES or (w == "express" and k > 0 and toks[k - 1].text == "american"):
            return "card", back
        if w in _SSN_CUES or (w == "security" and k > 0 and toks[k - 1].text == "social"):
            return "ssn", back
        if w == "n" and k > 1 and toks[k - 1].text == "s" and toks[k - 2].text == "s":
            return "ssn", back
        if w in _ACCOUNT_CUES or (w == "code" and k > 0 and toks[k - 1].text == "sort"):
            return "account", back
        if w in _PHONE_CUES:
            return "phone", back
        if _is_digit_tok(w):  # another number in between: the cue belongs to it
            break
    return None, 0


def _looks_like_date(parts: list[str]) -> bool:
    """Month, day, year read as numbers ("12 25 2023", "12 25 20 23") or a time stamp
    ("2017 03 18 06 30 05"): not a phone number."""
    if any(_YEAR_RE.fullmatch(p) for p in parts) and all(
        len(p) <= 2 or _YEAR_RE.fullmatch(p) for p in parts
    ):
        return True
    vals = [int(p) for p in parts]
    if len(vals) == 3 and len(parts[2]) == 4:
        a, b, y = vals
    elif len(vals) == 4 and len(parts[2]) == 2 and len(parts[3]) == 2 and vals[2] in (19, 20):
        a, b, y = vals[0], vals[1], vals[2] * 100 + vals[3]
    else:
        return False
    if not 1900 <= y <= 2099:
        return False
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _postcode_cue(before: list[str]) -> bool:
    text = " ".join(before)
    return bool(re.search(r"\b(zip|zipcode|postcode|postal code|post code|zip code)\b", text))


class SpokenNumberRecognizer(_SpokenRecognizer):
    """Phone, card, SSN and account numbers read out as digits."""

    ENTITIES = (PHONE_NUMBER, CREDIT_CARD, US_SSN, ACCOUNT_NUMBER, POSTCODE)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for i, j in _digit_runs(toks):
            parts = [t.text for t in toks[i:j] if _is_digit_tok(t.text)]
            digits = "".join(p.replace("-", "") for p in parts)
            groups = [len(g) for p in parts for g in p.split("-")]
            n = len(digits)
            if any(_ROUND_RE.fullmatch(p) for p in parts) or (
                len(parts) > 1 and all(p == "000" for p in parts[1:])
            ):
                continue  # "a million", "2 billion", "1 000 000": amounts, not identifiers
            cue, dist = _nearest_cue(toks, i)
            start = i
            if i > 0 and toks[i - 1].text == "plus":
                start = i - 1
            before = [t.text for t in toks[max(0, i - 4) : i]]
            if n in (5, 9) and _postcode_cue(before):
                out.append(_result(POSTCODE, toks, i, j, 0.85))
                continue
            if n == 5 and j - i >= 3 and before and before[-1] in ("in", "near", "around"):
                out.append(_result(POSTCODE, toks, i, j, 0.5))  # "restaurants near 9 0 2 1 0"
                continue
            if cue == "cvv" and 3 <= n <= 4:
                out.append(_result(CREDIT_CARD, toks, i, j, 0.7))
            elif cue == "card" and 12 <= n <= 19:
                out.append(_result(CREDIT_CARD, toks, i, j, 0.95))
            elif cue == "ssn" and 8 <= n <= 10:  # a digit lost or doubled by ASR still counts
                out.append(_result(US_SSN, toks, i, j, 0.95))
            elif cue == "ssn" and n == 4 and dist <= 4:
                out.append(_result(US_SSN, toks, i, j, 0.6))  # "last four of my social"
            elif cue == "account" and n >= 4:
                out.append(_result(ACCOUNT_NUMBER, toks, i, j, 0.9))
            elif cue == "phone" and 7 <= n <= 15:
                out.append(_result(PHONE_NUMBER, toks, start, j, 0.95))
            elif n == 9 and groups == [3, 2, 4]:
                out.append(_result(US_SSN, toks, i, j, 0.8))
            elif 13 <= n <= 19 and luhn_ok(digits):
                out.append(_result(CREDIT_CARD, toks, i, j, 0.85))
            elif 7 <= n <= 15:
                if _looks_like_date(parts):
                    continue
                out.append(_result(PHONE_NUMBER, toks, start, j, 0.7))
            elif 16 <= n <= 19:
                out.append(_result(CREDIT_CARD, toks, i, j, 0.6))
            elif n > 19 and not _looks_like_date(parts):
                out.append(_result(ACCOUNT_NUMBER, toks, i, j, 0.5))
        return out


# --------------------------------------------------------------------------- letters+digits
def _alnum_piece(t: str) -> bool:
    return t in _CODE_DIGITS or (
        bool(_ALNUM_RE.fullmatch(t)) and (len(t) == 1 or any(c.isdigit() for c in t))
    )


# isolated digit words that text2num leaves alone ("s w one a one a a")
_CODE_DIGITS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


class SpelledCodeRecognizer(_SpokenRecognizer):
    """IBANs, UK postcodes and account codes spelled letter by letter ("g b eight two ...")."""

    ENTITIES = (IBAN_CODE, POSTCODE, ACCOUNT_NUMBER)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        n = len(toks)
        used = [False] * n
        i = 0
        while i < n:
            if used[i] or not _alnum_piece(toks[i].text):
                i += 1
                continue
            j = i
            while j < n and _alnum_piece(toks[j].text):
                j += 1
            self._scan_run(toks, i, j, out, used)
            i = j
        return out

    def _scan_run(
        self, toks: list[Tok], i: int, j: int, out: list[RecognizerResult], used: list[bool]
    ) -> None:
        text = [_CODE_DIGITS.get(toks[k].text, toks[k].text) for k in range(i, j)]
        iban_cue = any(toks[k].text == "iban" for k in range(max(0, i - 5), i))
        k = 0
        while k < len(text):
            found = False
            # IBAN: country code + 2 check digits, then up to the country's length.
            joined = "".join(text[k:])
            cc = joined[:2]
            if cc in IBAN_LENGTHS and joined[2:4].isdigit() and len(text[k]) <= 2:
                want = IBAN_LENGTHS[cc]
                acc = ""
                for m in range(k, len(text)):
                    acc += text[m]
                    if len(acc) == want:
                        if iban_ok(acc):
                            out.append(_result(IBAN_CODE, toks, i + k, i + m + 1, 0.95))
                            k, found = m + 1, True
                        break
                    if len(acc) > want:
                        break
                if not found and iban_cue and len(joined) >= 15:
                    out.append(_result(IBAN_CODE, toks, i + k, j, 0.6))
                    return
            if found:
                continue
            # UK postcode: try the shortest window that matches the whole pattern.
            for m in range(k + 1, min(len(text), k + 8) + 1):
                cand = "".join(text[k:m])
                if len(cand) > 7:
                    break
                if _UK_POSTCODE_RE.fullmatch(cand) and cand[0].isalpha():
                    prev = toks[i + k - 1].text if i + k > 0 else ""
                    score = 0.85 if prev in ("postcode", "code", "is", "at", "in") else 0.6
                    out.append(_result(POSTCODE, toks, i + k, i + m, score))
                    k, found = m, True
                    break
            if not found:
                k += 1
        # Letters mixed with digits after an account cue: an account/reference code.
        cue, _ = _nearest_cue(toks, i)
        if cue == "account" and not any(
            r.start >= toks[i].start and r.end <= toks[j - 1].end for r in out
        ):
            code = "".join(text)
            if len(code) >= 6 and any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
                out.append(_result(ACCOUNT_NUMBER, toks, i, j, 0.8))


# --------------------------------------------------------------------------- e-mail
_EMAIL_JOINERS = wordset("dot underscore dash hyphen period point")
_TLD_EXTRACTOR = None
_LOCAL_STOP = wordset("to is at my me email mail send address the a an and of for")


def _suffix_ok(domain: str) -> bool:
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


class SpokenEmailRecognizer(_SpokenRecognizer):
    """ "john dot smith at gmail dot com", also "jack@gmail dot com" and written addresses."""

    ENTITIES = (EMAIL_ADDRESS,)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        n = len(toks)
        for a in range(n):
            t = toks[a].text
            if t in ("at", "@"):
                dom_start, local_end = a + 1, a
            elif "@" in t and not t.startswith("@"):
                dom_start, local_end = a, a + 1  # the token holds both sides
            else:
                continue
            end = self._domain_end(toks, dom_start, t)
            if end is None:
                continue
            start = self._local_start(toks, local_end) if t in ("at", "@") else a
            if start is None:
                continue
            # the local part itself may have joiners: extend it leftwards
            if "@" in t and t not in ("@",):
                start = self._local_start(toks, a + 1, include_last=True) or a
            out.append(_result(EMAIL_ADDRESS, toks, start, end, 0.9))
        return out

    @staticmethod
    def _domain_end(toks: list[Tok], s: int, at_tok: str) -> int | None:
        n = len(toks)
        labels: list[str] = []
        if "@" in at_tok and at_tok not in ("@",):
            first = at_tok.split("@", 1)[1]
            if not first:
                return None
            labels.append(first)
            k = s + 1
        else:
            k = s
            label = []
            # the first label may be spoken as up to three words ("my company dot com")
            while (
                k < n
                and len(label) < 3
                and _ALNUM_RE.fullmatch(toks[k].text)
                and (toks[k].text not in _EMAIL_JOINERS and toks[k].text != "at")
            ):
                label.append(toks[k].text)
                k += 1
            if not label:
                return None
            labels.append("".join(label))
        best = None
        while k + 1 < n and toks[k].text in ("dot", "period", "point", "."):
            nxt = toks[k + 1].text
            if not _ALNUM_RE.fullmatch(nxt):
                break
            labels.append(nxt)
            k += 2
            if _suffix_ok(".".join(labels)):
                best = k
        # also a written domain inside one token ("gmail.com")
        if best is None and "." in labels[0] and _suffix_ok(labels[0]):
            best = s + 1
        return best

    @staticmethod
    def _local_start(toks: list[Tok], end: int, include_last: bool = False) -> int | None:
        """Start of the local part that ends just before token ``end``."""
        k = end - 1
        if k < 0:
            return None
        w = toks[k].text
        if not include_last and (not _ALNUM_RE.fullmatch(w) or w in _EMAIL_JOINERS):
            return None
        start = k
        while True:
            if (
                start - 2 >= 0
                and toks[start - 1].text in _EMAIL_JOINERS
                and _ALNUM_RE.fullmatch(toks[start - 2].text)
            ):
                start -= 2
            elif (
                start - 1 >= 0
                and toks[start].text.isdigit()
                and re.fullmatch(r"[a-z]+", toks[start - 1].text)
                and toks[start - 1].text not in _LOCAL_STOP
            ):
                start -= 1  # "kyrie ninety four at ..." is kyrie94
            else:
                break
        # spelled initials or digits glued to the name ("j smith", "smith eighty four")
        while start - 1 >= 0 and (
            len(toks[start - 1].text) == 1
            and toks[start - 1].text.isalpha()
            and toks[start - 1].text not in ("a", "i")
        ):
            start -= 1
        return start


# --------------------------------------------------------------------------- street address
def _is_house_number(t: str) -> bool:
    # text2num leaves an isolated small number as a word ("at one church close")
    return bool(re.fullmatch(r"\d{1,5}[a-z]?", t)) or t in _SMALL_NUMBER_WORDS


_SMALL_NUMBER_WORDS = wordset("one two three four five six seven eight nine")


def _street_name_word(t: str) -> bool:
    if t in ADDRESS_STOP or t in WAKE_WORDS or t in _SMALL_NUMBER_WORDS:
        return False
    return bool(re.fullmatch(r"[a-z][a-z'\-]*|\d{1,3}(?:st|nd|rd|th)", t))


class StreetAddressRecognizer(_SpokenRecognizer):
    """ "twelve oak street", "221 b baker street", "100 main avenue apartment 4", "p o box 12"."""

    ENTITIES = (STREET_ADDRESS,)
    _RESIDENCE_CUES = (
        ("live", "on"),
        ("live", "at"),
        ("lives", "on"),
        ("lives", "at"),
        ("address", "is"),
        ("located", "at"),
        ("moved", "to"),
        ("living", "on"),
        ("living", "at"),
        ("deliver", "to"),
        ("ship", "to"),
    )

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        words = [t.text for t in toks]
        n = len(words)
        taken = 0
        for s in range(n):
            if s < taken or words[s] not in STREET_SUFFIXES:
                continue
            # walk left over the street name
            k = s - 1
            name_len = 0
            while (
                k >= 0
                and name_len < 4
                and _street_name_word(words[k])
                and not (words[k] in STREET_SUFFIXES and name_len > 0)
            ):
                k -= 1
                name_len += 1
            if name_len == 0:
                continue
            start = None
            score = 0.0
            # house number: up to three digit groups, optional letter ("221 b")
            h = k
            if (
                h >= 0
                and len(words[h]) == 1
                and words[h].isalpha()
                and h - 1 >= 0
                and (_is_house_number(words[h - 1]))
            ):
                h -= 1
            if h >= 0 and _is_house_number(words[h]):
                g = h
                while g - 1 >= 0 and _is_house_number(words[g - 1]) and h - g < 2:
                    g -= 1
                start, score = g, 0.85
            elif words[s] in WEAK_STREET_SUFFIXES:
                continue
            else:
                # "i live on oak street": no number, but a residence cue right before
                first = k + 1
                for cue in self._RESIDENCE_CUES:
                    m = len(cue)
                    if first - m >= 0 and tuple(words[first - m : first]) == cue:
                        start, score = first, 0.7
                        break
            # without a number or a residence cue, "on elm street" is a place, not an address
            if start is None:
                continue
            # a unit before the number: "flat 4 12 oak street"
            if (
                start - 2 >= 0
                and words[start - 2] in ("flat", "apartment", "apt", "unit")
                and (_is_house_number(words[start - 1]))
            ):
                start -= 2
            end = self._extend_right(words, s + 1)
            out.append(_result(STREET_ADDRESS, toks, start, end, score))
            taken = end
        out.extend(self._po_boxes(toks, words))
        return out

    @staticmethod
    def _extend_right(words: list[str], e: int) -> int:
        n = len(words)
        if e < n and words[e] in DIRECTIONS and words[e] not in ("s", "e", "n", "w"):
            e += 1
        # unit: "apartment 4", "apt 2 b", "suite 100", "unit 3 c"
        if (
            e + 1 < n
            and words[e] in UNIT_WORDS
            and words[e] not in ("number", "no")
            and (
                _is_house_number(words[e + 1])
                or (len(words[e + 1]) == 1 and words[e + 1].isalpha())
            )
        ):
            e += 2
            if e < n and len(words[e]) == 1 and words[e].isalpha() and words[e] not in ("a", "i"):
                e += 1
        # city then a spelled UK postcode: "london s w 1 a 1 a a" (merged later by the engine
        # when the postcode recognizer finds it); a US city, state and zip handled below
        for city_len in range(0, 4):
            k = e + city_len
            if city_len and not all(
                re.fullmatch(r"[a-z]+", w) and w not in ADDRESS_STOP for w in words[e:k]
            ):
                break
            state_len = 0
            if k < n and words[k] in US_STATES:
                state_len = 1
            else:
                for multi in US_STATES_MULTI:
                    if tuple(words[k : k + len(multi)]) == multi:
                        state_len = len(multi)
                        break
            if state_len:
                e = k + state_len
                digits = ""
                z = e
                while z < n and words[z].isdigit() and len(digits) < 9:
                    digits += words[z]
                    z += 1
                if len(digits) in (5, 9):
                    e = z
                return e
        return e

    @staticmethod
    def _po_boxes(toks: list[Tok], words: list[str]) -> list[RecognizerResult]:
        out = []
        n = len(words)
        for i in range(n):
            if words[i] != "box" or i + 1 >= n or not words[i + 1].isdigit():
                continue
            s = i
            if i >= 2 and words[i - 2 : i] == ["p", "o"]:
                s = i - 2
            elif i >= 1 and words[i - 1] in ("po", "p.o."):
                s = i - 1
            elif i >= 2 and words[i - 2 : i] == ["post", "office"]:
                s = i - 2
            else:
                continue
            e = i + 1
            while e < n and words[e].isdigit():
                e += 1
            out.append(_result(STREET_ADDRESS, toks, s, e, 0.85))
        return out


# --------------------------------------------------------------------------- date of birth
_DOB_SKIP = wordset("is was on the in of 's : date was's")


def _year_at(words: list[str], k: int) -> int:
    """Length (tokens) of a year starting at k: "1980", "19 80", "2005"; 0 if none."""
    n = len(words)
    if k < n and re.fullmatch(r"(19|20)\d\d", words[k]):
        return 1
    if k + 1 < n and words[k] in ("19", "20") and re.fullmatch(r"\d\d", words[k + 1]):
        return 2
    return 0


def _day_at(words: list[str], k: int) -> int:
    if k >= len(words):
        return 0
    w = words[k]
    m = _ORD_RE.fullmatch(w)
    if m and 1 <= int(m.group(1)) <= 31:
        return 1
    if w in ORDINAL_WORDS:
        return 1
    if w.isdigit() and 1 <= int(w) <= 31:
        return 1
    # "twenty first" -> text2num gives "21st"; "twenty" "first" left as words
    return 0


def _date_len(words: list[str], k: int, allow_year_only: bool) -> int:
    """Length in tokens of a date expression starting at token k, or 0."""
    n = len(words)
    j = k
    if j < n and words[j] == "the":
        j += 1
    # day [of] month [year]
    d = _day_at(words, j)
    if d:
        m = j + d
        if m < n and words[m] == "of":
            m += 1
        if m < n and words[m] in MONTHS:
            e = m + 1
            if e < n and words[e] == "of":
                y = _year_at(words, e + 1)
                return (e + 1 + y - k) if y else (e - k)
            return e + _year_at(words, e) - k
    # month [the] day [year] | month year
    if j < n and words[j] in MONTHS:
        e = j + 1
        if e < n and words[e] == "the":
            e += 1
        d = _day_at(words, e)
        if d:
            e += d
            return e + _year_at(words, e) - k
        y = _year_at(words, j + 1)
        if y:
            return j + 1 + y - k
    # numeric day month year: "4 7 1980", "04 07 19 80"
    if j + 2 < n and words[j].isdigit() and words[j + 1].isdigit():
        a, b = int(words[j]), int(words[j + 1])
        y = _year_at(words, j + 2)
        if y and 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12):
            return j + 2 + y - k
    if allow_year_only:
        y = _year_at(words, j)
        if y:
            return j + y - k
    return 0


class DateOfBirthRecognizer(_SpokenRecognizer):
    """A date after "born", "birthday", "date of birth", "d o b"."""

    ENTITIES = (DATE_OF_BIRTH,)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        words = [t.text for t in toks]
        n = len(words)
        for c in range(n):
            w = words[c]
            is_cue = w in ("born", "birthday", "birthdate", "dob", "birth", "bday", "b-day")
            if (
                w == "b"
                and c + 2 < n
                and words[c + 1] == "o"
                and words[c] == "b"
                and c > 0
                and (words[c - 1] == "d")
            ):
                is_cue = True
            if not is_cue:
                continue
            k = c + 1
            steps = 0
            while k < n and steps < 4:
                length = _date_len(words, k, allow_year_only=w == "born")
                if length:
                    s = k + 1 if words[k] == "the" else k
                    out.append(_result(DATE_OF_BIRTH, toks, s, k + length, 0.85))
                    break
                if words[k] not in _DOB_SKIP and words[k] not in ("my", "her", "his", "date"):
                    break
                k += 1
                steps += 1
        return out


# --------------------------------------------------------------------------- person names
def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


class SpokenPersonRecognizer(_SpokenRecognizer):
    """Person names in lower-case speech: cue words, a name gazetteer and spaCy PERSON spans."""

    ENTITIES = (PERSON,)

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__(lexicon)
        self.places = PLACES

    def _nameish(self, w: str) -> bool:
        lex = self.lexicon
        return (
            len(w) > 1
            and bool(_NAME_WORD_RE.fullmatch(w))
            and w not in lex.stop_words
            and w not in WAKE_WORDS
            and w not in RELATIONS
            and w not in TITLES
            and w not in MONTHS
            and w not in BRANDS
        )

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        lex = self.lexicon
        words = [t.text for t in toks]
        bare = [_bare(w) for w in words]
        n = len(words)
        comm = any(w in COMM_VERBS for w in bare)
        ok = [self._nameish(w) for w in bare]
        score = [0.0] * n

        for k in range(n):
            if not ok[k]:
                continue
            w = bare[k]
            prev = words[k - 1] if k > 0 else ""
            strong_cue = prev in STRONG_NAME_CUES or prev in TITLES or _intro_before(words, k)
            weak_cue = prev in WEAK_NAME_CUES and comm
            nxt = bare[k + 1] if k + 1 < n else ""
            known = w in lex.first_names or lex.unknown_word(w) or lex.rare_surname(w)
            solid = lex.name_dominant(w) or lex.unknown_word(w) or lex.rare_surname(w)
            if (
                lex.name_dominant(w)
                and w not in self.places
                and not (prev in _PLACE_PREPS and not comm)
            ):
                score[k] = 0.7  # "directions to chester" is a place, "email from chester" not
            if strong_cue and (
                known or (prev in _DIAL_CUES and w in lex.surnames and w not in DOMAIN_WORDS)
            ):
                score[k] = 0.85
            elif weak_cue and (lex.unknown_word(w) or w in lex.first_names):
                score[k] = max(score[k], 0.7)
            elif (
                prev in _AUX_BEFORE_SUBJECT
                and (w in lex.first_names or solid)
                and _person_verb_after(bare, k + 1)
            ):
                score[k] = max(score[k], 0.65)  # "did mark post", "does bob live"
            elif (
                (words[k].endswith("'s") and (solid or w in lex.first_names))
                or (nxt in _PERSONAL_NOUNS and solid)
            ) and prev not in _DETERMINERS:
                score[k] = max(score[k], 0.7)  # "bob's birthday", "tanner birthday"

        # spaCy PERSON entities from presidio's NLP artifacts: trusted for words that are not
        # ordinary English words (lower-case speech makes spaCy tag "song" or "miles" too).
        if nlp_artifacts is not None and nlp_artifacts.entities:
            for ent in nlp_artifacts.entities:
                if ent.label_ != "PERSON":
                    continue
                for idx, t in enumerate(toks):
                    if t.start < ent.end_char and t.end > ent.start_char and ok[idx]:
                        w = bare[idx]
                        if lex.unknown_word(w) or lex.name_dominant(w) or lex.rare_surname(w):
                            score[idx] = max(score[idx], 0.75)
            for ent in nlp_artifacts.entities:
                if ent.label_ in ("GPE", "LOC", "FAC", "ORG", "NORP"):
                    for idx, t in enumerate(toks):
                        if t.start < ent.end_char and t.end > ent.start_char and score[idx] < 0.8:
                            score[idx] = 0.0  # "milan", "florida": places, not people

        # extend a name by a following surname or unknown word ("tom hanks", "aamir khan")
        for k in range(n - 1):
            if score[k] > 0 and score[k + 1] == 0 and ok[k + 1] and not words[k].endswith("'s"):
                nxt = bare[k + 1]
                if (nxt in lex.surnames and not lex.is_non_noun_word(nxt)) or lex.unknown_word(nxt):
                    score[k + 1] = score[k] * 0.95
        # an ambiguous given name right before an accepted surname ("will smith")
        for k in range(n - 1):
            if (
                score[k] == 0
                and score[k + 1] > 0
                and ok[k]
                and bare[k] in lex.first_names
                and (bare[k + 1] in lex.surnames and not words[k].endswith("'s"))
                and (k == 0 or words[k - 1] not in ("the", "a", "an"))
            ):
                score[k] = score[k + 1] * 0.95

        out: list[RecognizerResult] = []
        k = 0
        while k < n:
            if score[k] <= 0:
                k += 1
                continue
            e = k + 1
            while e < n and score[e] > 0 and e - k < 4 and not words[e - 1].endswith("'s"):
                e += 1
            out.append(_result(PERSON, toks, k, e, max(score[k:e])))
            k = e
        return out


_NAME_WORD_RE = re.compile(r"[a-z][a-z\-]*")
_PLACE_PREPS = wordset("in near at around to from visit")
_DIAL_CUES = wordset("call text email message ring dial phone")
_DETERMINERS = wordset("the a an my your his her our their this that these those")
_PERSONAL_NOUNS = wordset(
    """birthday bday email emails number phone address wife husband mom dad party wedding funeral
    house place car contact cell mobile podcast"""
)


_AUX_BEFORE_SUBJECT = wordset(
    "did does do has have had is was when where can could would should will has"
)
_PERSON_VERBS = wordset(
    """live lives living post posted born call called text texted email emailed send sent say
    said want wants get got reply replied come coming arrive arrived work works been win won
    reply respond responded message messaged write wrote visit visited marry married die died"""
)


def _person_verb_after(bare: list[str], k: int) -> bool:
    """A person-like verb right after the name, or after a one-word surname."""
    return (k < len(bare) and bare[k] in _PERSON_VERBS) or (
        k + 1 < len(bare) and bare[k + 1] in _PERSON_VERBS and bare[k].isalpha()
    )


def _intro_before(words: list[str], k: int) -> bool:
    for phrase in NAME_INTRO_PHRASES:
        m = len(phrase)
        if k - m >= 0 and tuple(words[k - m : k]) == phrase:
            return True
    return False


def build_recognizers(lexicon: Lexicon) -> list[EntityRecognizer]:
    return [
        SpokenNumberRecognizer(lexicon),
        SpelledCodeRecognizer(lexicon),
        SpokenEmailRecognizer(lexicon),
        StreetAddressRecognizer(lexicon),
        DateOfBirthRecognizer(lexicon),
        SpokenPersonRecognizer(lexicon),
    ]

"""Written values read out the way people say them (spoken form, lower case, no punctuation).

Every ``say_*`` function takes a ``random.Random`` and picks one of the ways a person reads the
value: a house number 5850 as "five thousand eight hundred and fifty", "fifty eight fifty" or
"five eight five oh"; a phone number digit by digit with "double", "oh" and pairs; an e-mail with
"dot", "underscore" and "at"; a name with or without its title, middle initial or possessive.
The number words are the ASR normaliser's (``voxguard.asr.number_words``).
"""

from __future__ import annotations

import random
import re
import unicodedata

from voxguard.asr.normalize import number_to_words
from voxguard.asr.number_words import ONES_WORDS

# Letters that NFKD does not take apart
_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "þ": "th", "ð": "d"}
)


def fold(text: str) -> str:
    """Lower case without diacritics: what an English ASR model writes for "Łódź"."""
    text = text.lower().translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# --------------------------------------------------------------------------- numbers
def cardinal(n: int, british_and: bool = False) -> list[str]:
    """5850 -> five thousand eight hundred (and) fifty: the ASR normaliser's reading, with the
    British "and" after "hundred" and before a last part under a hundred when asked."""
    words = number_to_words(n)
    if not british_and:
        return words
    out: list[str] = []
    for k, w in enumerate(words):
        out.append(w)
        rest = words[k + 1 :]
        if rest and (
            w == "hundred"
            or (
                w in ("thousand", "million")
                and "hundred" not in rest
                and rest[0] not in ("thousand", "million")
            )
        ):
            out.append("and")
    return out


def _zero(rng: random.Random) -> str:
    return rng.choice(("oh", "oh", "zero", "zero", "o"))


def digit_words(digits: str, rng: random.Random, allow_double: bool = True) -> list[str]:
    """Digit by digit: "5500" -> five five oh oh | double five double oh | five five zero zero."""
    words: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        run = 1
        while i + run < len(digits) and digits[i + run] == d and run < 3:
            run += 1
        spoken = _zero(rng) if d == "0" else ONES_WORDS[int(d)]
        if allow_double and run >= 2 and rng.random() < 0.35:
            if run == 3 and rng.random() < 0.5:
                words += ["triple", spoken]
                i += 3
                continue
            words += ["double", spoken]
            i += 2
            continue
        words.append(spoken)
        i += 1
    return words


def pair_words(digits: str, rng: random.Random) -> list[str]:
    """Read in pairs: "5850" -> fifty eight fifty, "1205" -> twelve oh five, "1900" -> nineteen
    hundred, odd lengths start with one digit ("305" -> three oh five)."""
    words: list[str] = []
    if len(digits) == 4 and digits[2:] == "00" and digits[0] != "0":
        return [*cardinal(int(digits[:2])), "hundred"]
    k = 0
    if len(digits) % 2:
        words += digit_words(digits[0], rng)
        k = 1
    while k < len(digits):
        pair = digits[k : k + 2]
        if pair[0] == "0":
            words += [_zero(rng), *(ONES_WORDS[int(pair[1])] if pair[1] != "0" else _zero(rng),)]
        else:
            words += cardinal(int(pair))
        k += 2
    return words


def say_number(digits: str, rng: random.Random, styles: tuple[str, ...] | None = None) -> list[str]:
    """An integer written as digits, in one of the ways people say it."""
    digits = digits.lstrip() or "0"
    if digits.startswith("0") and len(digits) > 1:
        return digit_words(digits, rng)
    n = int(digits)
    styles = styles or (
        ("cardinal",)
        if n < 100
        else ("cardinal", "cardinal_and", "pairs", "digits")
        if n < 10000
        else ("digits", "digits", "cardinal")
    )
    style = rng.choice(styles)
    if style == "cardinal":
        return cardinal(n)
    if style == "cardinal_and":
        return cardinal(n, british_and=True)
    if style == "pairs":
        return pair_words(digits, rng)
    return digit_words(digits, rng)


def spell(text: str, rng: random.Random) -> list[str]:
    """Letters one by one and digits as digits: "W6S" -> w six s."""
    out: list[str] = []
    for c in fold(text):
        if c.isdigit():
            out += digit_words(c, rng, allow_double=False)
        elif c.isalpha():
            out.append(c)
    return out


# --------------------------------------------------------------------------- words of a value
_ABBREVIATIONS = {
    "st": ("street", "saint"),
    "str": ("strasse",),
    "ave": ("avenue",),
    "av": ("avenida", "avenue"),
    "rd": ("road",),
    "dr": ("drive",),
    "ln": ("lane",),
    "blvd": ("boulevard",),
    "apt": ("apartment", "apt"),
    "ul": ("ulica",),
    "pl": ("plac",),
    "al": ("aleja",),
    "no": ("number", "no"),
    "nr": ("number", "nr"),
    "n°": ("number",),
    "ste": ("suite",),
    "of": ("oficina",),
    "dg": ("diagonal",),
    "cl": ("calle",),
    "cra": ("carrera",),
    "kr": ("carrera",),
    "tr": ("transversal",),
    "bd": ("boulevard",),
    "mt": ("mount",),
    "ft": ("fort",),
    "pt": ("port",),
    "mr": ("mister",),
    "mrs": ("missus",),
    "ms": ("miz",),
    "mx": ("mix",),
    "dott": ("dottore",),
    "sig": ("signor",),
    "sra": ("senora",),
    "sr": ("senor",),
    "srta": ("senorita",),
    "prof": ("professor",),
    "ing": ("ingeniero",),
    "tp": ("thanh pho",),
}
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[#/\-+.,()&°ºª]")


def say_text(text: str, rng: random.Random, fold_p: float = 0.7) -> list[str]:
    """Free text of a record (a street line, a city, a region) in spoken form.

    Numbers vary in reading, abbreviations are expanded the way a reader would, letter-only codes
    in capitals ("NE", "FE", "SW1A") are spelled, punctuation is dropped or said ("slash", "dash").
    """
    words: list[str] = []
    folded = rng.random() < fold_p
    pieces = _TOKEN_RE.findall(text)
    for k, piece in enumerate(pieces):
        low = piece.lower()
        nxt = pieces[k + 1] if k + 1 < len(pieces) else ""
        if piece.isdigit():
            words += say_number(piece, rng)
        elif piece in ("/", "-") and words and k + 1 < len(pieces) and nxt[:1].isdigit():
            r = rng.random()
            if r < 0.35:
                words.append("slash" if piece == "/" else rng.choice(("dash", "hyphen")))
            elif r < 0.45 and piece == "/":
                words.append("stroke")
        elif piece == "#":
            words.append(rng.choice(("number", "hash")))
        elif piece in ("&",):
            words.append("and")
        elif not piece[0].isalpha():
            continue
        elif low in _ABBREVIATIONS and (nxt == "." or (len(low) <= 3 and piece[0].isupper())):
            words += rng.choice(_ABBREVIATIONS[low]).split()
        elif piece.isupper() and len(piece) <= 3 and len(piece) > 1:
            words += spell(piece, rng)
        else:
            word = fold(piece) if folded else low
            if "'" in word and rng.random() < 0.3:
                word = word.replace("'", "")
            words.append(word)
    return words


def say_alnum(code: str, rng: random.Random) -> list[str]:
    """A postcode or unit number: digits read as a number or digit by digit, letters spelled."""
    out: list[str] = []
    for piece in re.findall(r"\d+|[^\W\d_]+", code):
        if piece.isdigit():
            styles = ("digits", "digits", "pairs") if len(piece) >= 4 else None
            out += say_number(piece, rng, styles)
        elif len(piece) <= 3:
            out += spell(piece, rng)
        else:
            out.append(fold(piece))
    return out


# --------------------------------------------------------------------------- PII values
def say_phone(written: str, rng: random.Random) -> list[str]:
    """A phone number as written by Faker ("+49 (0) 9040 479666", "(801)929-0404x7966")."""
    ext_match = re.search(r"(?:x|ext\.?)\s*(\d+)\s*$", written)
    ext = ext_match.group(1) if ext_match else ""
    main = written[: ext_match.start()] if ext_match else written
    words: list[str] = []
    if main.strip().startswith("+"):
        words.append("plus")
    groups = re.findall(r"\d+", main)
    style = rng.choice(("digits", "digits", "digits", "mixed", "pairs"))
    dash = rng.random() < 0.15
    for g_index, group in enumerate(groups):
        if g_index and dash:
            words.append("dash")
        if (style == "pairs" and len(group) % 2 == 0 and "0" not in group[::2]) or (
            style == "mixed" and len(group) in (2, 4) and group[0] != "0" and rng.random() < 0.5
        ):
            words += pair_words(group, rng)
        else:
            words += digit_words(group, rng)
    if ext:
        words += [rng.choice(("extension", "ext", "x")), *digit_words(ext, rng)]
    return words


def say_card(digits: str, rng: random.Random) -> list[str]:
    words: list[str] = []
    groups = [digits[k : k + 4] for k in range(0, len(digits), 4)]
    style = rng.choice(("digits", "digits", "digits", "pairs"))
    for group in groups:
        if style == "pairs" and len(group) == 4 and group[0] != "0" and group[2] != "0":
            words += pair_words(group, rng)
        else:
            words += digit_words(group, rng)
    return words


def say_domain(domain: str, rng: random.Random) -> list[str]:
    """ "gmail.com" -> gmail dot com; "yahoo.com.br" -> yahoo dot com dot br."""
    words: list[str] = []
    for k, label in enumerate(domain.lower().split(".")):
        if k:
            words.append("dot")
        for piece in re.split(r"(-)", label):
            if piece == "-":
                words.append(rng.choice(("dash", "hyphen")))
            elif piece.isdigit():
                words += digit_words(piece, rng)
            elif piece:
                words.append(fold(piece))
    return words


def local_part_words(first: str, middle: str, last: str, rng: random.Random) -> list[str]:
    """The words someone says for the part of an e-mail before "at", built from a name."""
    first, middle, last = (fold(re.sub(r"[\s'\-]+", "", x)) for x in (first, middle, last))
    joiner = rng.choice(("dot", "dot", "underscore", "dash", "", "", ""))
    kind = rng.random()
    if kind < 0.25:
        parts = [first, last]
    elif kind < 0.4 and middle:
        parts = [first, middle, last]
    elif kind < 0.5 and middle:
        parts = [first, middle[0], last]
    elif kind < 0.6:
        parts = [first[0], last]
    elif kind < 0.7:
        parts = [last, first]
    elif kind < 0.8:
        parts = [first]
    elif kind < 0.9:
        parts = [last]
    else:
        parts = [first + last] if rng.random() < 0.5 else [first, last]
    words: list[str] = []
    for k, part in enumerate(p for p in parts if p):
        if k and joiner:
            words.append(joiner)
        words.append(part)
    if rng.random() < 0.3:
        number = str(rng.choice((rng.randrange(1, 100), rng.randrange(1950, 2010))))
        words += say_number(number, rng, ("cardinal", "digits", "pairs"))
    return words


_TITLE_WORDS = {
    "dr": "doctor",
    "dr.": "doctor",
    "mr": "mister",
    "mr.": "mister",
    "mrs": "missus",
    "mrs.": "missus",
    "ms": "miz",
    "ms.": "miz",
    "miss": "miss",
    "prof": "professor",
    "prof.": "professor",
    "sr.": "senor",
    "sra.": "senora",
    "dott.": "dottore",
    "pan": "pan",
    "pani": "pani",
    "herra": "herra",
    "rouva": "rouva",
}
_NAME_NOISE = re.compile(
    r"\b(B\.\w+\.?|M\.\w+\.?|MSc|BSc|PhD|MBA|DVM|DDS|MD|Jr\.?|Sr\.?|II|III|IV|V|Dipl\.-\w+\.?)"
    r"(?=\s|$)"
)


def name_parts(full_name: str) -> tuple[list[str], list[str]]:
    """(title words, name words) of a Faker name, degree suffixes dropped."""
    titles: list[str] = []
    words = _NAME_NOISE.sub("", full_name).split()
    while words and (words[0].lower() in _TITLE_WORDS or words[0].endswith(".")):
        w = words.pop(0).lower()
        titles.append(_TITLE_WORDS.get(w, w.rstrip(".")))
    return titles, [w for w in words if w not in (",",)]


def say_name(full_name: str, rng: random.Random, form: str | None = None) -> list[str]:
    """A person's name as said in a request: full, first only, title + surname, middle initial."""
    titles, words = name_parts(full_name)
    words = [w.rstrip(".,") for w in words if w.rstrip(".,")]
    if not words:
        return []
    form = form or rng.choice(("full", "full", "full", "first", "title_last", "initial", "last"))
    if form == "first" and len(words) > 1:
        words = words[:1]
    elif form == "last" and len(words) > 1:
        words = words[-1:]
    elif form == "title_last":
        title = titles[:1] or [rng.choice(("doctor", "mister", "missus", "miss", "professor"))]
        words = [*title, words[-1]]
    elif form == "initial" and len(words) >= 2:
        words = [words[0], rng.choice("abcdefghjklmnprstw"), *words[1:]]
    elif titles and rng.random() < 0.5:
        words = [*titles, *words]
    folded = rng.random() < 0.7
    out: list[str] = []
    for w in words:
        w = fold(w) if folded else w.lower()
        if "-" in w and rng.random() < 0.8:
            out += [p for p in w.split("-") if p]
        elif "'" in w and rng.random() < 0.5:
            out.append(w.replace("'", ""))
        elif "." in w:
            out += [p for p in w.split(".") if p]
        else:
            out.append(w)
    return out

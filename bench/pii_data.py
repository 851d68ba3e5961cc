"""Labelled spoken-form PII evaluation set and a per-type recall/precision table.

Sources (read from ../shared/data, or $VOXGUARD_SHARED_DATA; nothing is copied into the project):

- ``slurp``: SLURP devel utterances as they are (real lower-case requests to an assistant).
  Gold: ``person`` -> PERSON, ``email_address`` -> EMAIL_ADDRESS. Every other utterance and entity
  is a negative, so all detections outside gold spans count as false positives, except
  ``artist_name``/``audiobook_author`` spans (names of public artists: a PERSON there is neither
  counted right nor wrong) and ``date`` spans in birthday sentences for DATE_OF_BIRTH.
- ``slurp_wnut``: SLURP utterances that contain one ``person`` entity, with that entity replaced
  by a person name taken from WNUT-17 (real names from social media, lower-cased) -- real request
  contexts, names from another distribution than the one the gazetteer was built from.
- ``wnut``: WNUT-17 test sentences turned into spoken form (lower case, punctuation and URLs
  dropped). Gold: ``person``. Other WNUT entities are don't-care regions for PERSON. This is
  out-of-domain social-media text and is reported separately.
- ``synthetic``: verbalised phone, card, SSN, IBAN, account numbers, e-mail addresses, street
  addresses, postcodes and dates of birth inside carrier sentences written for this benchmark
  (not the phrases of the unit tests), plus hard negatives (times, temperatures, track numbers).
  Names inside those carriers come from SLURP/WNUT persons and are gold PERSON spans. These
  templates were in view while the recognizers were tuned (with other random values).
- ``synthetic_heldout`` (held-out split only): a second family of carrier sentences, negatives and
  phone styles ("dash", "triple", pairs) written before the held-out split was first scored and
  not used for tuning.

SLURP devel is split by ``slurp_id`` parity: odd ids are the held-out half used for the reported
figures; even ids were the half looked at while developing the recognizers (``split="tune"``).
``split="dev"`` scores what a ``bench/train_pii_tagger.py --dev`` model never saw (pass it with
``--model-dir bench/results/pii_dev``): the even ids of ``pii_corpus.is_dev_slurp``, the dev
locales, and the tenth of Snips train that training leaves out. Changes are compared there; the
odd ids are scored once a change is chosen.

Scoring is per word over ``text.split()``: a gold span is found when a predicted span of the same
type overlaps it; a predicted span is correct when it overlaps a gold span of its type, ignored
when it only overlaps a don't-care region, and a false positive otherwise. "coverage" is the share
of gold words hidden by a predicted span of any type (what matters for bleeping audio).

- ``blind`` (``--split blind-look`` / ``blind-sealed`` only): ``bench/pii_blind.py``, Faker records
  in carrier sentences and spoken styles written apart from the tagger's generator, with requests
  without PII (``blind_neg``); its ``look`` half may be looked at while tuning, ``sealed`` not.

Run: ``.venv/bin/python bench/pii_data.py [--split heldout|tune|dev|all|blind-look|blind-sealed|
blind-sealed2] [--no-spacy] [--model-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pii_corpus import (
    ensure_hash_seed,
    faker_utterances,
    is_dev_slurp,
    read_conll,
    snips_utterances,
    tuning_corpus,
    wnut_persons,
)
from voxguard.asr.number_words import ONES_WORDS, TENS_WORDS
from voxguard.privacy.pii.recognizers.spoken_number import luhn_ok

TYPES = (
    "PERSON",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "DATE_OF_BIRTH",
    "ACCOUNT_NUMBER",
    "POSTCODE",
)
TARGETED = ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "CREDIT_CARD")


def shared_data_dir() -> Path:
    env = os.environ.get("VOXGUARD_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    type: str


@dataclass
class Example:
    id: str
    source: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    # (start, end, type): a predicted span of `type` overlapping only these is not counted
    ignore: list[Gold] = field(default_factory=list)
    # other annotated entities (place, business, event...): used only for the lenient precision
    other: list[Gold] = field(default_factory=list)


# --------------------------------------------------------------------------- verbalising
# The number words are the ASR normaliser's, so that what the benchmark speaks reads back.
_ORD = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth", 12: "twelfth"}


def say_int(n: int) -> str:
    if n < 20:
        return ONES_WORDS[n]
    if n < 100:
        t, o = divmod(n, 10)
        return TENS_WORDS[t] + ("" if o == 0 else " " + ONES_WORDS[o])
    if n < 1000:
        h, r = divmod(n, 100)
        return ONES_WORDS[h] + " hundred" + ("" if r == 0 else " and " + say_int(r))
    th, r = divmod(n, 1000)
    if r == 0:
        return say_int(th) + " thousand"
    return say_int(th) + " thousand" + (" and " if r < 100 else " ") + say_int(r)


def say_ordinal(n: int) -> str:
    if n in _ORD:
        return _ORD[n]
    if n < 20:
        return ONES_WORDS[n] + "th"
    t, o = divmod(n, 10)
    if o == 0:
        return TENS_WORDS[t][:-1] + "ieth"
    return TENS_WORDS[t] + " " + say_ordinal(o)


def say_year(y: int, rng: random.Random) -> str:
    if 2000 <= y < 2010:
        return "two thousand" + ("" if y == 2000 else " and " + ONES_WORDS[y % 10])
    hi, lo = divmod(y, 100)
    low = say_int(lo) if lo >= 10 else "oh " + ONES_WORDS[lo]
    return say_int(hi) + " " + low


def say_digits(
    digits: str, rng: random.Random, group_sizes: Sequence[int] | None = None, style: str = "plain"
) -> str:
    """Digits the way people read them: single digits, "oh" for zero, "double five", pairs."""
    words: list[str] = []
    groups: list[str] = []
    if group_sizes:
        k = 0
        for g in group_sizes:
            groups.append(digits[k : k + g])
            k += g
        if k < len(digits):
            groups.append(digits[k:])
    else:
        groups = [digits]
    for grp in groups:
        i = 0
        while i < len(grp):
            d = grp[i]
            if (
                style in ("pairs", "mixed")
                and i + 1 < len(grp)
                and grp[i] != "0"
                and grp[i + 1] != "0"  # "eighty six" would read as 86, not 8 0 6
                and (style == "pairs" or rng.random() < 0.4)
            ):
                words.append(say_int(int(grp[i : i + 2])))
                i += 2
                continue
            if i + 1 < len(grp) and grp[i + 1] == d and rng.random() < 0.5:
                words.append(
                    "double " + ("oh" if d == "0" and rng.random() < 0.6 else ONES_WORDS[int(d)])
                )
                i += 2
                continue
            words.append("oh" if d == "0" and rng.random() < 0.6 else ONES_WORDS[int(d)])
            i += 1
    return " ".join(words)


def spell(s: str) -> str:
    """Letters one by one, digits as single digits: "gb82" -> "g b eight two"."""
    return " ".join(ONES_WORDS[int(c)] if c.isdigit() else c.lower() for c in s if c.strip())


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + str(c) for c in range(10) if luhn_ok(body + str(c)))


def make_iban(country: str, bban: str) -> str:
    moved = bban + country + "00"
    num = int("".join(str(int(c, 36)) for c in moved))
    return f"{country}{98 - num % 97:02d}{bban}"


# --------------------------------------------------------------------------- readers
def _align_tokens(sentence: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    """Char offsets of SLURP tokens inside the sentence (tokens split "jean's" as "jean 's")."""
    low = sentence.lower()
    pos = 0
    out = []
    for t in tokens:
        k = low.find(t.lower(), pos)
        if k < 0:
            return None
        out.append((k, k + len(t)))
        pos = k + len(t)
    return out


def _widen_to_words(text: str, s: int, e: int) -> tuple[int, int]:
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    while e < len(text) and not text[e].isspace():
        e += 1
    return s, e


def read_slurp(data: Path) -> list[dict]:
    path = data / "slurp" / "devel.jsonl"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
    return rows


def slurp_examples(rows: list[dict], keep: Callable[[int], bool]) -> list[Example]:
    out = []
    for r in rows:
        if not keep(r["slurp_id"]):
            continue
        text = r["sentence"].lower()
        toks = [t["surface"] for t in r["tokens"]]
        offs = _align_tokens(text, toks)
        if offs is None:
            continue
        ex = Example(f"slurp-{r['slurp_id']}", "slurp", text)
        birthday = bool(re.search(r"\b(birthday|born|birth)\b", text))
        for ent in r["entities"]:
            s, e = offs[ent["span"][0]][0], offs[ent["span"][-1]][1]
            s, e = _widen_to_words(text, s, e)
            if ent["type"] == "person":
                ex.gold.append(Gold(s, e, "PERSON"))
            elif ent["type"] == "email_address":
                ex.gold.append(Gold(s, e, "EMAIL_ADDRESS"))
            elif ent["type"] in ("artist_name", "audiobook_author"):
                ex.ignore.append(Gold(s, e, "PERSON"))
            elif ent["type"] == "date" and birthday:
                ex.ignore.append(Gold(s, e, "DATE_OF_BIRTH"))
            if ent["type"] not in ("person", "email_address"):
                ex.other.append(Gold(s, e, ent["type"]))
        out.append(ex)
    return out


_URLISH = re.compile(r"https?://|www\.|\.com|/r/|^@|^#")


def spoken_token(tok: str) -> str:
    """A WNUT token in assistant-transcript form: lower case, no punctuation, no URLs."""
    if _URLISH.search(tok):
        return ""
    tok = tok.lower()
    tok = re.sub(r"[^a-z0-9'\-]", "", tok).strip("'-")
    return tok


def wnut_examples(sents: list[list[tuple[str, str]]], prefix: str) -> list[Example]:
    out = []
    for n, sent in enumerate(sents):
        words: list[str] = []
        spans: list[tuple[int, int, str]] = []  # word ranges of entities
        cur_start, cur_type = -1, ""
        for tok, tag in sent:
            w = spoken_token(tok)
            if tag.startswith("B-") or tag == "O" or (tag.startswith("I-") and cur_start < 0):
                if cur_start >= 0 and len(words) > cur_start:
                    spans.append((cur_start, len(words), cur_type))
                cur_start, cur_type = (-1, "") if tag == "O" else (len(words), tag[2:])
            if w:
                words.append(w)
        if cur_start >= 0 and len(words) > cur_start:
            spans.append((cur_start, len(words), cur_type))
        if len(words) < 3:
            continue
        text = " ".join(words)
        starts, pos = [], 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        ex = Example(f"{prefix}-{n}", "wnut", text)
        for a, b, typ in spans:
            g = Gold(
                starts[a], starts[b - 1] + len(words[b - 1]), "PERSON" if typ == "person" else ""
            )
            if typ == "person":
                ex.gold.append(g)
            else:
                ex.other.append(Gold(g.start, g.end, typ))
        out.append(ex)
    return out


# --------------------------------------------------------------------------- synthetic
class _Builder:
    """Builds a sentence from pieces, recording gold spans as it goes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.gold: list[Gold] = []
        self.pos = 0

    def add(self, text: str, typ: str | None = None) -> _Builder:
        text = " ".join(text.split())
        if not text:
            return self
        glue = text.startswith("'s")  # possessive attaches to the word before
        if self.parts and not glue:
            self.pos += 1
        if glue and self.parts:
            self.parts[-1] += text
            self.pos += len(text)
            return self
        if typ:
            self.gold.append(Gold(self.pos, self.pos + len(text), typ))
        self.parts.append(text)
        self.pos += len(text)
        return self

    def build(self, ex_id: str) -> Example:
        return Example(ex_id, "synthetic", " ".join(self.parts), list(self.gold))


def _template(tpl: str, fills: dict[str, tuple[str, str | None]], ex_id: str) -> Example:
    b = _Builder()
    for piece in re.split(r"(\{\w+\})", tpl):
        piece = piece.strip()
        if not piece:
            continue
        if piece.startswith("{"):
            value, typ = fills[piece[1:-1]]
            b.add(value, typ)
        else:
            b.add(piece)
    return b.build(ex_id)


PHONE_TEMPLATES = [
    "can you dial {phone} for me",
    "please save {phone} as {name}'s new number",
    "the plumber's number is {phone}",
    "send a text to {phone} saying i'm running late",
    "my cell is {phone} if anyone asks",
    "ring {phone} and put it on speaker",
    "add {name} to contacts with the number {phone}",
    "who called me from {phone} yesterday",
    "i need to reach {phone} before noon",
    "you can get me on {phone}",
    "update {name}'s mobile to {phone}",
    "block {phone} please",
]
CARD_TEMPLATES = [
    "pay with my visa {card}",
    "the card number is {card}",
    "use {card} for the order",
    "charge it to {card} expiry oh nine twenty seven",
    "add a new payment card {card} to my account",
    "my mastercard number {card}",
    "i want to pay using {card}",
    "store the debit card {card}",
]
EMAIL_TEMPLATES = [
    "send the invoice to {email}",
    "my email is {email}",
    "forward this to {email} please",
    "add {email} to the guest list",
    "reply to {email} and say thanks",
    "can you email {name} at {email}",
    "share the photos with {email}",
    "set {email} as my backup address",
]
ADDRESS_TEMPLATES = [
    "order a pizza to {address}",
    "i live at {address}",
    "how long does it take to drive to {address}",
    "my new address is {address}",
    "send a taxi to {address} at eight",
    "the party is at {address} on saturday",
    "deliver the parcel to {address}",
    "navigate to {address}",
    "{name} moved to {address}",
    "book a cleaner for {address}",
]
POSTCODE_TEMPLATES = [
    "what's the weather like in {postcode}",
    "my postcode is {postcode}",
    "find restaurants near {postcode}",
    "the zip code is {postcode}",
]
SSN_TEMPLATES = [
    "my social security number is {ssn}",
    "the ssn on file is {ssn}",
    "fill in social security {ssn} on the form",
]
IBAN_TEMPLATES = [
    "transfer fifty pounds to iban {iban}",
    "my iban is {iban}",
    "send the rent to {iban}",
]
ACCOUNT_TEMPLATES = [
    "check the balance on account number {account}",
    "my account number is {account}",
    "pay the bill from account {account}",
    "my customer number is {account}",
]
DOB_TEMPLATES = [
    "i was born on {dob}",
    "my date of birth is {dob}",
    "my birthday is {dob}",
    "remember that {name} was born {dob}",
]
NEGATIVES = [
    "set an alarm for six forty five tomorrow morning",
    "set a timer for twenty five minutes",
    "turn the thermostat to seventy two degrees",
    "play track number three from the album",
    "what is four hundred and twelve divided by seven",
    "remind me at quarter past nine to take the pills",
    "how many calories are in two slices of pizza",
    "play the top forty songs of nineteen ninety nine",
    "what's the score of the game twenty one to fourteen",
    "add two cups of flour and three eggs to my shopping list",
    "what time is it in tokyo",
    "skip to chapter twelve",
    "the meeting room is on floor three",
    "turn up the volume to eight",
    "is it going to rain on the twenty third of april",
    "book a table for four at seven thirty",
    "how far is the moon in miles",
    "call it a day and turn off the lights",
    "tell me a joke about cats",
    "order two large pizzas with extra cheese",
    "what happened on the fourth of july seventeen seventy six",
    "set the living room lights to fifty percent",
    "play some music by the beatles",
    "how old is the eiffel tower",
    "convert one hundred dollars to euros",
]
STREET_NAMES = [
    "oak",
    "maple",
    "main",
    "park",
    "elm",
    "cedar",
    "pine",
    "washington",
    "lincoln",
    "church",
    "high",
    "station",
    "mill",
    "victoria",
    "king",
    "queen",
    "bridge",
    "green",
    "willow",
    "sunset",
    "lake",
    "river",
    "forest",
    "spring",
    "hillside",
    "chestnut",
    "walnut",
    "birch",
    "meadow",
    "orchard",
    "highland",
    "jefferson",
    "franklin",
    "madison",
]
STREET_TYPES = [
    "street",
    "avenue",
    "road",
    "lane",
    "drive",
    "boulevard",
    "court",
    "place",
    "way",
    "terrace",
    "crescent",
    "close",
]
CITIES = [
    ("springfield", "illinois"),
    ("austin", "texas"),
    ("portland", "oregon"),
    ("denver", "colorado"),
    ("madison", "wisconsin"),
    ("boston", "massachusetts"),
    ("albany", "new york"),
    ("salem", "oregon"),
]
UK_POSTCODES = [
    "SW1A 1AA",
    "M1 1AE",
    "B33 8TH",
    "CR2 6XH",
    "DN55 1PT",
    "EC1A 1BB",
    "W1A 0AX",
    "LS2 7EE",
    "G2 3WT",
    "BS1 4DJ",
    "NW1 6XE",
    "EH1 1YZ",
]
MAIL_DOMAINS = [
    "gmail dot com",
    "yahoo dot com",
    "hotmail dot com",
    "outlook dot com",
    "icloud dot com",
    "proton dot me",
    "example dot org",
    "company dot co dot uk",
    "uni dot edu",
    "startup dot io",
    "mail dot net",
    "aol dot com",
]
MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:  # US 10 digits, read 3-3-4
        d = f"{rng.randrange(200, 999)}{rng.randrange(200, 999)}{rng.randrange(0, 10000):04d}"
        style = rng.choice(["plain", "plain", "mixed"])
        return say_digits(d, rng, [3, 3, 4], style)
    if kind < 0.65:  # 1 800 numbers
        d = f"{rng.randrange(0, 10000):04d}"
        return (
            "one eight hundred "
            + say_digits(f"{rng.randrange(200, 999)}", rng)
            + " "
            + say_digits(d, rng, None, rng.choice(["plain", "pairs"]))
        )
    if kind < 0.85:  # UK mobile 07xxx
        d = "07" + "".join(str(rng.randrange(10)) for _ in range(9))
        return say_digits(d, rng, [5, 6], rng.choice(["plain", "mixed"]))
    d = "".join(str(rng.randrange(10)) for _ in range(10))
    return "plus " + say_int(rng.choice([44, 33, 49, 91, 61])) + " " + say_digits(d, rng)


def _card(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        num = luhn_complete("4", 16, rng)
    elif kind < 0.75:
        num = luhn_complete(str(rng.randrange(51, 56)), 16, rng)
    elif kind < 0.9:
        num = luhn_complete(rng.choice(["34", "37"]), 15, rng)
        return say_digits(num, rng, [4, 6, 5])
    else:
        num = luhn_complete("6011", 16, rng)
    return say_digits(num, rng, [4, 4, 4, 4], rng.choice(["plain", "plain", "pairs"]))


def _email(rng: random.Random, names: list[str]) -> str:
    first = rng.choice(names).split()[0]
    last = rng.choice(names).split()[-1]
    joiner = rng.choice(["dot", "underscore", "", "dash"])
    local = (
        first
        if rng.random() < 0.3
        else f"{first} {joiner} {last}"
        if joiner
        else f"{first[0]} {last}"
    )
    if rng.random() < 0.25:
        local += " " + say_int(rng.randrange(1, 99))
    return f"{local} at {rng.choice(MAIL_DOMAINS)}"


def _address(rng: random.Random) -> str:
    n = rng.choice([rng.randrange(1, 30), rng.randrange(30, 400), rng.randrange(400, 9999)])
    if n >= 100 and rng.random() < 0.5:
        num = say_digits(str(n), rng)
    elif n >= 1000 and rng.random() < 0.6:
        num = (
            say_int(n // 100)
            + " "
            + (say_int(n % 100) if n % 100 >= 10 else "oh " + ONES_WORDS[n % 100])
        )
    else:
        num = say_int(n)
    if rng.random() < 0.15:
        num += " " + rng.choice("abc")
    street = rng.choice(STREET_NAMES)
    if rng.random() < 0.25:
        street = rng.choice(["north", "south", "east", "west"]) + " " + street
    if rng.random() < 0.1:
        street = say_ordinal(rng.randrange(1, 60))
    out = f"{num} {street} {rng.choice(STREET_TYPES)}"
    r = rng.random()
    if r < 0.2:
        out += f" apartment {say_int(rng.randrange(1, 40))}"
    elif r < 0.3:
        out += f" suite {say_int(rng.randrange(100, 900))}"
    r = rng.random()
    if r < 0.25:
        city, state = rng.choice(CITIES)
        out += f" {city} {state} " + say_digits(f"{rng.randrange(10000, 99999)}", rng)
    elif r < 0.4:
        out += " london " + spell(rng.choice(UK_POSTCODES))
    return out


def _postcode(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return spell(rng.choice(UK_POSTCODES))
    return say_digits(f"{rng.randrange(10000, 99999)}", rng)


def _dob(rng: random.Random) -> str:
    day, month, year = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(1935, 2010)
    form = rng.randrange(4)
    if form == 0:
        return f"the {say_ordinal(day)} of {MONTH_NAMES[month - 1]} {say_year(year, rng)}"
    if form == 1:
        return f"{MONTH_NAMES[month - 1]} {say_ordinal(day)} {say_year(year, rng)}"
    if form == 2:
        return f"{MONTH_NAMES[month - 1]} the {say_ordinal(day)} {say_year(year, rng)}"
    return f"{say_ordinal(day)} {MONTH_NAMES[month - 1]} {say_year(year, rng)}"


def _ssn(rng: random.Random) -> str:
    d = f"{rng.randrange(100, 899)}{rng.randrange(10, 99)}{rng.randrange(1000, 9999)}"
    if rng.random() < 0.3:
        return " dash ".join(say_digits(g, rng) for g in (d[:3], d[3:5], d[5:]))
    return say_digits(d, rng, [3, 2, 4], rng.choice(["plain", "mixed"]))


def _iban(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        code = make_iban("GB", bank + "".join(str(rng.randrange(10)) for _ in range(14)))
    elif kind < 0.7:
        code = make_iban("DE", "".join(str(rng.randrange(10)) for _ in range(18)))
    else:
        code = make_iban("FR", "".join(str(rng.randrange(10)) for _ in range(23)))
    return spell(code)


def _account(rng: random.Random) -> str:
    n = rng.randrange(6, 13)
    d = "".join(str(rng.randrange(10)) for _ in range(n))
    return say_digits(d, rng, None, rng.choice(["plain", "mixed"]))


# Held-out carriers and value styles: written before the held-out split was first scored and
# never looked at while tuning the recognizers (the tuning split uses the templates above).
HELDOUT_TEMPLATES: dict[str, list[str]] = {
    "phone": [
        "hey could you ring {phone} real quick",
        "what's the name of the person at {phone}",
        "put {phone} on my emergency contacts",
        "leave a voicemail at {phone} for {name}",
        "my work line is {phone} extension four",
        "tell {name} to call me back on {phone}",
    ],
    "card": [
        "i'd like to use card {card} for this",
        "the long number on my credit card reads {card}",
        "remove {card} from my saved payment methods",
        "book it on {card} please",
    ],
    "email": [
        "write to {email} about the refund",
        "change my login to {email}",
        "invite {email} to the meeting on friday",
        "{name}'s address is {email}",
    ],
    "address": [
        "get me an uber from {address}",
        "what's the fastest route to {address}",
        "my mom lives at {address}",
        "please update my billing address to {address}",
        "is there parking near {address}",
        "have the flowers sent to {address} tomorrow",
    ],
    "postcode": [
        "my zip is {postcode}",
        "are there any pharmacies open around {postcode}",
        "set my location to postcode {postcode}",
    ],
    "ssn": [
        "here is my social {ssn}",
        "social security number {ssn} please verify it",
    ],
    "iban": [
        "wire the deposit to {iban}",
        "the landlord's iban is {iban}",
    ],
    "account": [
        "transfer a hundred dollars from account {account} to savings",
        "what's the balance of account {account}",
        "my policy number is {account}",
    ],
    "dob": [
        "the baby was born {dob}",
        "for the form my date of birth is {dob}",
        "i'm a leo my birthday is {dob}",
    ],
}
HELDOUT_NEGATIVES = [
    "wake me up at five fifteen",
    "what's twelve times thirteen",
    "set the oven to three hundred and fifty degrees",
    "play season two episode four",
    "how many days until the twenty fifth of december",
    "remind me in forty five minutes to call back",
    "what was the score in the nineteen eighty six world cup final",
    "turn the heat up two degrees",
    "i need three apples and a dozen eggs",
    "add a meeting at two thirty with the design team",
    "how far is it to the nearest gas station",
    "set volume to eleven",
    "play channel four news",
    "what's on page one hundred and twelve",
    "order twenty four rolls of toilet paper",
]


def _heldout_phone(rng: random.Random) -> str:
    """Styles the tuning set does not use: dashes, "triple", all pairs, "area code" prefix."""
    d = f"{rng.randrange(200, 999)}{rng.randrange(200, 999)}{rng.randrange(0, 10000):04d}"
    kind = rng.randrange(4)
    if kind == 0:
        return " dash ".join(say_digits(g, rng) for g in (d[:3], d[3:6], d[6:]))
    if kind == 1:
        return (
            say_digits(d[:3], rng)
            + " "
            + say_digits(d[3:6], rng)
            + " "
            + say_digits(d[6:], rng, None, "pairs")
        )
    if kind == 2:
        tail = rng.choice(["0", "5", "8"]) * 3
        return (
            say_digits(d[:3], rng)
            + " "
            + say_digits(d[3:6], rng)
            + " triple "
            + ("oh" if tail[0] == "0" else ONES_WORDS[int(tail[0])])
            + " "
            + ONES_WORDS[rng.randrange(10)]
        )
    return "zero two zero " + say_digits("".join(str(rng.randrange(10)) for _ in range(8)), rng)


def heldout_synthetic_examples(
    rng: random.Random, names: list[str], per_template: int = 5
) -> list[Example]:
    makers: dict[str, tuple[str, Callable[[], str]]] = {
        "phone": (
            "PHONE_NUMBER",
            lambda: _heldout_phone(rng) if rng.random() < 0.5 else _phone(rng),
        ),
        "card": ("CREDIT_CARD", lambda: _card(rng)),
        "email": ("EMAIL_ADDRESS", lambda: _email(rng, names)),
        "address": ("STREET_ADDRESS", lambda: _address(rng)),
        "postcode": ("POSTCODE", lambda: _postcode(rng)),
        "ssn": ("US_SSN", lambda: _ssn(rng)),
        "iban": ("IBAN_CODE", lambda: _iban(rng)),
        "account": ("ACCOUNT_NUMBER", lambda: _account(rng)),
        "dob": ("DATE_OF_BIRTH", lambda: _dob(rng)),
    }
    out: list[Example] = []
    for slot, templates in HELDOUT_TEMPLATES.items():
        typ, make = makers[slot]
        for t_idx, tpl in enumerate(templates):
            for rep in range(per_template):
                fills = {slot: (make(), typ), "name": (rng.choice(names), "PERSON")}
                ex = _template(tpl, fills, f"syn2-{slot}-{t_idx}-{rep}")
                ex.source = "synthetic_heldout"
                out.append(ex)
    for n, neg in enumerate(HELDOUT_NEGATIVES):
        out.append(Example(f"syn2-neg-{n}", "synthetic_heldout", neg))
    return out


def synthetic_examples(
    rng: random.Random, names: list[str], per_template: int = 4
) -> list[Example]:
    makers: list[tuple[list[str], str, str, Callable[[], str]]] = [
        (PHONE_TEMPLATES, "phone", "PHONE_NUMBER", lambda: _phone(rng)),
        (CARD_TEMPLATES, "card", "CREDIT_CARD", lambda: _card(rng)),
        (EMAIL_TEMPLATES, "email", "EMAIL_ADDRESS", lambda: _email(rng, names)),
        (ADDRESS_TEMPLATES, "address", "STREET_ADDRESS", lambda: _address(rng)),
        (POSTCODE_TEMPLATES, "postcode", "POSTCODE", lambda: _postcode(rng)),
        (SSN_TEMPLATES, "ssn", "US_SSN", lambda: _ssn(rng)),
        (IBAN_TEMPLATES, "iban", "IBAN_CODE", lambda: _iban(rng)),
        (ACCOUNT_TEMPLATES, "account", "ACCOUNT_NUMBER", lambda: _account(rng)),
        (DOB_TEMPLATES, "dob", "DATE_OF_BIRTH", lambda: _dob(rng)),
    ]
    out: list[Example] = []
    for templates, slot, typ, make in makers:
        for t_idx, tpl in enumerate(templates):
            for rep in range(per_template):
                fills = {slot: (make(), typ), "name": (rng.choice(names), "PERSON")}
                out.append(_template(tpl, fills, f"syn-{slot}-{t_idx}-{rep}"))
    for n, neg in enumerate(NEGATIVES):
        out.append(Example(f"syn-neg-{n}", "synthetic", neg))
    return out


def _name_pool(slurp_rows: list[dict], wnut_names: list[str]) -> list[str]:
    pool = []
    for r in slurp_rows:
        toks = [t["surface"] for t in r["tokens"]]
        for ent in r["entities"]:
            if ent["type"] == "person":
                name = " ".join(toks[i] for i in ent["span"]).lower()
                if re.fullmatch(r"[a-z ]+", name):
                    pool.append(name)
    return sorted(set(pool) | set(wnut_names))


def slurp_with_wnut_names(
    rows: list[dict], keep: Callable[[int], bool], names: list[str], rng: random.Random
) -> list[Example]:
    """SLURP utterances with one person, that person replaced by a WNUT name; the other
    annotations of the utterance are carried over with shifted offsets."""
    out = []
    for base in slurp_examples(rows, keep):
        persons = [g for g in base.gold if g.type == "PERSON"]
        if len(persons) != 1:
            continue
        p = persons[0]
        name = rng.choice(names)
        text = base.text[: p.start] + name + base.text[p.end :]
        delta = len(name) - (p.end - p.start)

        def shift(g: Gold, p: Gold = p, delta: int = delta) -> Gold | None:
            if g.end <= p.start:
                return g
            if g.start >= p.end:
                return Gold(g.start + delta, g.end + delta, g.type)
            return None  # overlaps the replaced name

        ex = Example(base.id.replace("slurp-", "slurpwnut-"), "slurp_wnut", text)
        ex.gold.append(Gold(p.start, p.start + len(name), "PERSON"))
        for src, dst in ((base.gold, ex.gold), (base.ignore, ex.ignore), (base.other, ex.other)):
            for g in src:
                if g is p:
                    continue
                moved = shift(g)
                if moved is not None:
                    dst.append(moved)
        out.append(ex)
    return out


def from_utterance(u: Any) -> Example:
    """A ``pii_corpus.Utterance`` (word spans) as an Example (character spans)."""
    starts, pos = [], 0
    for w in u.words:
        starts.append(pos)
        pos += len(w) + 1

    def chars(a: int, b: int, typ: str) -> Gold:
        return Gold(starts[a], starts[b - 1] + len(u.words[b - 1]), typ)

    ex = Example(u.id, u.source, u.text, [chars(*sp) for sp in u.spans])
    ex.ignore = [chars(*sp) for sp in u.ignore]
    ex.other = [chars(*sp) for sp in u.other]
    return ex


def corpus_examples(data: Path, split: str, per_template: int = 1) -> list[Example]:
    """The learned tagger's own splits (bench/pii_corpus.py): Faker records of the tuning split
    (train locales and templates, values never trained on) or of held-out locales x held-out
    templates; Snips queries (tuning tenth of train, or the validate files) as negatives."""
    if split == "tune":
        return [from_utterance(u) for u in tuning_corpus(data)]
    if split == "dev":
        snips = [u for u in tuning_corpus(data) if u.source == "snips"]
        return [from_utterance(u) for u in faker_utterances("dev", 2) + snips]
    faker = faker_utterances("heldout", per_template)
    snips = snips_utterances(data, "eval")
    return [from_utterance(u) for u in faker + snips]


def build_eval_set(
    data_dir: Path | None = None,
    split: str = "heldout",
    seed: int = 20240517,
    with_corpus: bool = True,
) -> list[Example]:
    """The evaluation examples. ``split``: "heldout" (odd slurp ids, WNUT test, the corpus's
    held-out locales and templates: reported), "tune" (what thresholds were chosen on), "all".

    The tagger trains on even slurp ids (``pii_corpus``), so "tune" SLURP figures are not unseen.
    """
    if split.startswith("blind-"):
        from pii_blind import blind_utterances

        return [from_utterance(u) for u in blind_utterances(split.removeprefix("blind-"))]
    data = data_dir or shared_data_dir()
    if not (data / "slurp" / "devel.jsonl").exists():
        raise FileNotFoundError(f"SLURP devel not found under {data}")
    keep: Callable[[int], bool] = {
        "heldout": lambda i: i % 2 == 1,
        "tune": lambda i: i % 2 == 0,
        "dev": is_dev_slurp,
        "all": lambda i: True,
    }[split]
    rng = random.Random(f"{seed}-{split}")
    rows = read_slurp(data)
    wnut_dir = data / "wnut17"
    test_sents = read_conll(wnut_dir / "emerging.test.annotated")
    dev_sents = read_conll(wnut_dir / "emerging.dev.conll")
    # WNUT test names feed the held-out examples, dev names the tuning ones.
    name_sents = dev_sents if split in ("tune", "dev") else test_sents
    wnames = wnut_persons(name_sents)
    examples = slurp_examples(rows, keep)
    examples += slurp_with_wnut_names(rows, keep, wnames, rng)
    examples += wnut_examples(dev_sents if split in ("tune", "dev") else test_sents, "wnut")
    pool = _name_pool([r for r in rows if keep(r["slurp_id"])], wnames)
    examples += synthetic_examples(rng, pool)
    if split not in ("tune", "dev"):
        examples += heldout_synthetic_examples(rng, pool)
    if with_corpus:
        examples += corpus_examples(data, split if split in ("tune", "dev") else "heldout")
    return examples


# --------------------------------------------------------------------------- scoring
def _word_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _to_words(ranges: list[tuple[int, int]], s: int, e: int) -> tuple[int, int]:
    idx = [k for k, (a, b) in enumerate(ranges) if a < e and b > s]
    return (idx[0], idx[-1] + 1) if idx else (0, 0)


@dataclass
class Counts:
    support: int = 0
    found: int = 0
    gold_words: int = 0
    covered_words: int = 0
    typed_words: int = 0  # gold words hidden by a predicted span of their own type
    predicted: int = 0
    correct: int = 0
    false_pos: int = 0
    false_pos_in_other: int = 0  # false positives that fall on another annotated entity
    fully_hidden: int = 0  # gold spans with every word hidden (by a span of any type)
    pred_words: int = 0  # words inside predicted spans of this type (outside don't-care spans)
    pred_words_in_gold: int = 0  # of those, words that are part of a gold span of any type

    @property
    def recall(self) -> float:
        return self.found / self.support if self.support else float("nan")

    @property
    def coverage(self) -> float:
        return self.covered_words / self.gold_words if self.gold_words else float("nan")

    @property
    def typed_coverage(self) -> float:
        return self.typed_words / self.gold_words if self.gold_words else float("nan")

    @property
    def hidden_share(self) -> float:
        return self.fully_hidden / self.support if self.support else float("nan")

    @property
    def word_precision(self) -> float:
        return self.pred_words_in_gold / self.pred_words if self.pred_words else float("nan")

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        counted = self.correct + self.false_pos
        return self.correct / counted if counted else float("nan")

    @property
    def precision_lenient(self) -> float:
        """Precision when a hit on another annotated entity (a name inside "albert's
        marriage", a business called "moe's") is not counted as wrong."""
        counted = self.correct + self.false_pos - self.false_pos_in_other
        return self.correct / counted if counted else float("nan")


@dataclass
class Report:
    by_type: dict[str, Counts]
    by_source: dict[tuple[str, str], Counts]
    errors: list[str]
    ms_per_utterance: float
    n_examples: int
    # CPU time of this process per utterance: steadier than wall time on a shared machine
    cpu_ms_per_utterance: float = float("nan")

    def table(self) -> str:
        lines = [
            f"{'type':<16}{'gold':>6}{'recall':>8}{'cover':>8}{'hidden':>8}{'pred':>6}{'FP':>5}"
            f"{'precision':>11}{'lenient':>9}{'word-P':>8}"
        ]
        for t in TYPES:
            c = self.by_type.get(t)
            if c is None or (c.support == 0 and c.predicted == 0):
                continue
            lines.append(
                f"{t:<16}{c.support:>6}{c.recall:>8.3f}{c.coverage:>8.3f}{c.hidden_share:>8.3f}"
                f"{c.predicted:>6}{c.false_pos:>5}{c.precision:>11.3f}"
                f"{c.precision_lenient:>9.3f}{c.word_precision:>8.3f}"
            )
        lines.append("")
        lines.append(
            f"{'source / type':<30}{'gold':>6}{'recall':>8}{'pred':>6}{'FP':>5}"
            f"{'precision':>11}{'lenient':>9}"
        )
        for (src, t), c in sorted(self.by_source.items()):
            if c.support == 0 and c.predicted == 0:
                continue
            lines.append(
                f"{src + ' / ' + t:<30}{c.support:>6}{c.recall:>8.3f}"
                f"{c.predicted:>6}{c.false_pos:>5}{c.precision:>11.3f}"
                f"{c.precision_lenient:>9.3f}"
            )
        lines.append("")
        lines.append(f"{self.n_examples} utterances, {self.ms_per_utterance:.2f} ms per utterance")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {
            t: {
                "support": c.support,
                "recall": c.recall,
                "coverage": c.coverage,
                "typed_coverage": c.typed_coverage,
                "fully_hidden": c.hidden_share,
                "word_precision": c.word_precision,
                "precision": c.precision,
                "precision_lenient": c.precision_lenient,
                "false_positives": c.false_pos,
            }
            for t, c in self.by_type.items()
        }


def evaluate(detector: object, examples: list[Example] | None = None) -> Report:
    """Per-type recall / precision of ``detector.detect(text)`` on the evaluation set."""
    if examples is None:
        examples = build_eval_set()
    by_type: dict[str, Counts] = defaultdict(Counts)
    by_source: dict[tuple[str, str], Counts] = defaultdict(Counts)
    errors: list[str] = []
    t0, cpu0 = time.perf_counter(), time.process_time()
    preds_all = [detector.detect(ex.text) for ex in examples]  # type: ignore[attr-defined]
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for ex, preds in zip(examples, preds_all, strict=True):
        ranges = _word_ranges(ex.text)
        gold = [(g.type, *_to_words(ranges, g.start, g.end)) for g in ex.gold]
        ign = [(g.type, *_to_words(ranges, g.start, g.end)) for g in ex.ignore]
        oth = [_to_words(ranges, g.start, g.end) for g in ex.other]
        pred = [(p.type, p.word_start, p.word_end) for p in preds]
        for gt, gs, ge in gold:
            for c in (by_type[gt], by_source[(ex.source, gt)]):
                c.support += 1
                c.gold_words += ge - gs
            hit = any(pt == gt and ps < ge and gs < pe for pt, ps, pe in pred)
            covered = sum(1 for w in range(gs, ge) if any(ps <= w < pe for _, ps, pe in pred))
            typed = sum(
                1 for w in range(gs, ge) if any(pt == gt and ps <= w < pe for pt, ps, pe in pred)
            )
            for c in (by_type[gt], by_source[(ex.source, gt)]):
                c.found += hit
                c.covered_words += covered
                c.typed_words += typed
                c.fully_hidden += covered == ge - gs
            # MISS: no word found as its type; PART: found, but some of its words still heard
            kind = "MISS" if not hit else "PART" if covered < ge - gs else None
            if kind:
                errors.append(
                    f"{kind} {gt:<14} [{ex.source}] {ex.text[:140]!r} gold="
                    f"{' '.join(ex.text.split()[gs:ge])!r} pred={_show(ex.text, pred)}"
                )
        for pt, ps, pe in pred:
            words = [w for w in range(ps, pe) if not any(is_ <= w < ie for _, is_, ie in ign)]
            in_gold = sum(1 for w in words if any(gs <= w < ge for _, gs, ge in gold))
            for c in (by_type[pt], by_source[(ex.source, pt)]):
                c.predicted += 1
                c.pred_words += len(words)
                c.pred_words_in_gold += in_gold
            if any(gt == pt and gs < pe and ps < ge for gt, gs, ge in gold):
                for c in (by_type[pt], by_source[(ex.source, pt)]):
                    c.correct += 1
            elif any(it == pt and is_ < pe and ps < ie for it, is_, ie in ign):
                continue
            else:
                in_other = any(os_ < pe and ps < oe for os_, oe in oth)
                for c in (by_type[pt], by_source[(ex.source, pt)]):
                    c.false_pos += 1
                    c.false_pos_in_other += in_other
                errors.append(
                    f"FP   {pt:<14} [{ex.source}] {ex.text[:140]!r} pred="
                    f"{' '.join(ex.text.split()[ps:pe])!r}"
                )
    return Report(
        dict(by_type),
        dict(by_source),
        errors,
        1000 * elapsed / max(len(examples), 1),
        len(examples),
        1000 * cpu / max(len(examples), 1),
    )


def _show(text: str, pred: list[tuple[str, int, int]]) -> str:
    words = text.split()
    return "[" + ", ".join(f"{t}:{' '.join(words[s:e])}" for t, s, e in pred) + "]"


class StockPresidio:
    """Presidio as it comes (its default recognizers, spaCy NER on the same small English model),
    its types mapped onto ours where they mean the same thing."""

    TYPE_MAP = {
        "LOCATION": "STREET_ADDRESS",
        "DATE_TIME": "DATE_OF_BIRTH",
        "US_BANK_NUMBER": "ACCOUNT_NUMBER",
        "US_DRIVER_LICENSE": "ACCOUNT_NUMBER",
        "UK_NHS": "ACCOUNT_NUMBER",
        "NRP": "PERSON",
    }

    def __init__(self) -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        from voxguard.privacy.pii import SPACY_MODEL

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            }
        )
        self._analyzer = AnalyzerEngine(nlp_engine=provider.create_engine())

    def detect(self, text: str) -> list[Any]:
        from voxguard.privacy.pii import PiiSpan

        ranges = _word_ranges(text)
        out = []
        for r in self._analyzer.analyze(text=text, language="en"):
            w0, w1 = _to_words(ranges, r.start, r.end)
            if w1 > w0:
                typ = self.TYPE_MAP.get(r.entity_type, r.entity_type)
                out.append(PiiSpan(r.start, r.end, typ, float(r.score), w0, w1))
        return out


# What each report group is, and the example sources in it.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("(a) tuning split: train locales x train templates, unseen values", ("faker_tune",)),
    ("(b) held-out locales x held-out templates (Faker)", ("faker_heldout",)),
    ("(b') dev locales x train templates (Faker; a --dev model never saw them)", ("faker_dev",)),
    ("(c) real SLURP requests, odd ids (never trained on)", ("slurp", "slurp_wnut")),
    ("(d) WNUT-17 (social media, out of domain)", ("wnut",)),
    (
        "(e) blind set (bench/pii_blind.py: own templates, locales, verbaliser)",
        ("blind", "blind_neg"),
    ),
    (
        "project's older generator (tuned on while the rules were written)",
        ("synthetic", "synthetic_heldout"),
    ),
)
NEGATIVE_SOURCES = ("snips",)
BLIND_NEGATIVE_SOURCES = ("blind_neg",)


def group_counts(report: Report, sources: tuple[str, ...]) -> dict[str, Counts]:
    out: dict[str, Counts] = defaultdict(Counts)
    for (src, typ), c in report.by_source.items():
        if src in sources:
            out[typ].add(c)
    return out


def _cell(c: Counts | None) -> str:
    if c is None or (c.support == 0 and c.pred_words == 0):
        return f"{'':>36}"

    def f(x: float) -> str:
        return "   - " if x != x else f"{x:5.3f}"

    return (
        f"{f(c.coverage)} {f(c.typed_coverage)} {f(c.hidden_share)} {f(c.recall)} "
        f"{f(c.word_precision)} {c.support:>4}"
    )


def comparison_table(ours: Report, stock: Report | None, sources: tuple[str, ...]) -> str:
    """Per type: word recall (any type, then the word's own type), spans fully hidden, span
    recall (same type), word precision."""
    a, b = group_counts(ours, sources), group_counts(stock, sources) if stock else {}
    head = "word-R type-R hidden span-R word-P  n"
    lines = [f"{'':<16} {'voxguard':^36} | {'stock Presidio':^36}", f"{'type':<16} {head} | {head}"]
    total_a, total_b = Counts(), Counts()
    for t in TYPES:
        if t not in a and t not in b:
            continue
        lines.append(f"{t:<16} {_cell(a.get(t))} | {_cell(b.get(t))}")
        total_a.add(a.get(t, Counts()))
        total_b.add(b.get(t, Counts()))
    lines.append(f"{'all types':<16} {_cell(total_a)} | {_cell(total_b)}")
    return "\n".join(lines)


def negatives_line(report: Report, examples: list[Example], sources: tuple[str, ...]) -> str:
    words = sum(c.pred_words for (src, _), c in report.by_source.items() if src in sources)
    n = sum(1 for ex in examples if ex.source in sources)
    total = sum(len(ex.text.split()) for ex in examples if ex.source in sources)
    return f"{n} utterances, {total} words: {words} words bleeped ({words / max(total, 1):.2%})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--split",
        default="heldout",
        choices=["heldout", "tune", "dev", "all", "blind-look", "blind-sealed", "blind-sealed2"],
    )
    ap.add_argument(
        "--model-dir",
        type=Path,
        help="the tagger to score (default: the shipped one); e.g. bench/results/pii_dev",
    )
    ap.add_argument("--no-spacy", action="store_true")
    ap.add_argument("--no-tagger", action="store_true", help="the rule recognizers alone")
    ap.add_argument("--no-presidio", action="store_true", help="skip stock Presidio")
    ap.add_argument(
        "--errors",
        type=int,
        default=0,
        help="print this many error lines: MISS (a value not found as its type), PART (some of"
        " its words still heard), FP (a bleep outside every value of its type)",
    )
    ap.add_argument("--json", type=Path, help="also write the per-type figures here")
    args = ap.parse_args(argv)
    ensure_hash_seed()  # the Faker splits are the same in every run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from voxguard.privacy.pii import PiiDetector

    try:
        examples = build_eval_set(split=args.split)
    except FileNotFoundError as exc:
        print(f"shared data missing: {exc}", file=sys.stderr)
        return 2
    det = PiiDetector(use_spacy=not args.no_spacy, use_tagger=not args.no_tagger)
    if args.model_dir and not args.no_tagger:  # also when the shipped model is out of date
        from voxguard.privacy.pii.tagger import PiiTagger

        det.tagger = PiiTagger(det.lexicon, args.model_dir)
    det.detect("warm up call five five five one two one two at gmail dot com")
    rep = evaluate(det, examples)
    stock = None if args.no_presidio else evaluate(StockPresidio(), examples)
    print(
        f"split={args.split} spacy={det.uses_spacy} tagger={det.tagger is not None}"
        + (
            f" (threshold {det.tagger.threshold}, {det.tagger.info.rare_word_threshold} for words"
            f" not everyday English; names grow from {det.tagger.extend_threshold})"
            if det.tagger
            else ""
        )
    )
    print(
        "word-R: share of gold words hidden (any type); type-R: hidden under their own type; "
        "hidden: share of gold spans with nothing left;\nspan-R: gold spans overlapped by the "
        "same type; word-P: predicted words inside a gold span\n"
    )
    for title, sources in GROUPS:
        if not any(ex.source in sources for ex in examples):
            continue
        if args.split == "dev" and "slurp" in sources:
            title = "(c) SLURP requests, dev ids (pii_corpus.is_dev_slurp: a --dev model never saw them)"
        elif args.split != "heldout" and "slurp" in sources:
            title = "(c) SLURP requests, even ids: the tagger trained on these (not unseen)"
        print(title)
        print(comparison_table(rep, stock, sources))
        print()
    if args.split.startswith("blind-"):
        negatives, which = BLIND_NEGATIVE_SOURCES, "blind requests without PII"
    else:
        negatives = NEGATIVE_SOURCES
        which = "Snips " + (
            "the tenth of train held out of training"
            if args.split in ("tune", "dev")
            else "validate"
        )
        which += " queries, no PII"
    print(f"hard negatives ({which}):")
    print(f"  voxguard:       {negatives_line(rep, examples, negatives)}")
    if stock:
        print(f"  stock Presidio: {negatives_line(stock, examples, negatives)}")
    print(
        f"\n{rep.n_examples} utterances; voxguard {rep.ms_per_utterance:.2f} ms per utterance "
        f"({rep.cpu_ms_per_utterance:.2f} ms CPU)"
        + (
            f", stock Presidio {stock.ms_per_utterance:.2f} ms ({stock.cpu_ms_per_utterance:.2f}"
            " ms CPU)"
            if stock
            else ""
        )
    )
    print("\n" + rep.table())
    for line in rep.errors[: args.errors]:
        print(line)
    if args.json:
        args.json.write_text(json.dumps(rep.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

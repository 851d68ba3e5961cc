"""Spoken-form PII corpus for training and evaluating the PII tagger, split so evaluation is unseen.

Sources, each split so that no evaluated sentence, template or locale was trained on:

- ``faker``: Faker records (names, street addresses with postcode, city, region and country,
  e-mails built from the person's name, phone numbers, card numbers) from many locales, read out
  by ``pii_speech`` the many ways people say them, inside command and record templates.
  Locales are split into TRAIN_LOCALES and HELDOUT_LOCALES, templates by their index (every third
  one is held out). ``train`` and ``tune`` use train locales x train templates with different
  seeds (``tune`` picks the tagger's threshold); ``heldout`` uses held-out locales x held-out
  templates only.
- ``slurp``: SLURP devel, split by ``slurp_id`` parity: even ids train (commands without a person
  are hard negatives, those with one are positives, also with the name replaced by Faker and WNUT
  train names), odd ids are evaluated only. A ``--dev`` model also leaves out the even ids
  ``is_dev_slurp`` picks: real requests to compare changes on without looking at the odd ids.
- ``snips``: Snips NLU benchmark, train files are hard negatives, validate files are evaluated.
  Queries with an ``artist`` or ``playlist_owner`` slot (public names, "my") are left out.
- ``wnut``: WNUT-17 train person names only feed name substitution in training; dev and test
  sentences are evaluated (``bench/pii_data.py``).

The data is read from ../shared/data (or $VOXGUARD_SHARED_DATA); nothing is copied here.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pii_speech as speech

PERSON = "PERSON"
ADDRESS = "STREET_ADDRESS"
EMAIL = "EMAIL_ADDRESS"
PHONE = "PHONE_NUMBER"
CARD = "CREDIT_CARD"
TAGGED_TYPES = (PERSON, ADDRESS, EMAIL, PHONE, CARD)

# Latin-script Faker locales with their own names and addresses. The held-out ones include whole
# languages the tagger never sees (Hungarian, Romanian, Slovak, Slovenian, Latvian, Icelandic)
# and variants of trained languages (Portugal, Colombia, Chile, Austria, Belgium, Quebec, NZ).
TRAIN_LOCALES = (
    "en_US",
    "en_GB",
    "en_AU",
    "en_CA",
    "en_IN",
    "en_NG",
    "en_PK",
    "de_DE",
    "de_CH",
    "fr_FR",
    "fr_CH",
    "fr_DZ",
    "es_ES",
    "es_MX",
    "es_AR",
    "it_IT",
    "pt_BR",
    "pl_PL",
    "nl_NL",
    "sv_SE",
    "fi_FI",
    "da_DK",
    "no_NO",
    "cs_CZ",
    "hr_HR",
    "et_EE",
    "lt_LT",
    "id_ID",
    "tr_TR",
    "vi_VN",
    "ga_IE",
    "yo_NG",
    "ig_NG",
    "zu_ZA",
)
HELDOUT_LOCALES = (
    "hu_HU",
    "ro_RO",
    "sk_SK",
    "sl_SI",
    "lv_LV",
    "is_IS",
    "pt_PT",
    "es_CO",
    "es_CL",
    "de_AT",
    "nl_BE",
    "fr_CA",
    "en_NZ",
    "en_IE",
    "sw",
)
# A development split inside the training side, for choosing what to change in the tagger
# without looking at the held-out split: train locales of languages no other train locale has,
# and the train templates of index 1 (mod 3). ``--dev`` in bench/train_pii_tagger.py trains
# without them (and without their names in the gazetteer) and scores them.
DEV_LOCALES = ("tr_TR", "vi_VN", "lt_LT", "et_EE", "yo_NG", "hr_HR")

# Locales whose person names only widen training (the name pool) and the gazetteer shipped with
# the tagger: Latin-script Faker locales that are neither held out nor a variant of a held-out
# one (no en_KE beside sw, no fr_QC/fr_BE beside fr_CA/nl_BE). "en" is en_US's base list.
NAME_LOCALES = ("en", "de_LI", "de_LU", "en_TH", "es_CA", "az_AZ", "ha_NG", "tw_GH", "uz_UZ")

# Address order: "number street, city, region postcode" here, "street number, postcode city"
# elsewhere.
_CITY_BEFORE_POSTCODE = {"en_US", "en_CA", "en_AU", "en_NZ", "en_IN", "en_NG", "en_PK", "en_IE"}

# ---------------------------------------------------------------------------- templates
# {name} {name2} {first} {address} {email} {phone} {card}; every third template is held out.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "name": (
        "call {name}",
        "can you ring {name} for me",
        "text {name} that i am on my way",
        "send a message to {name} saying happy birthday",
        "remind me to email {name} tomorrow",
        "what is {name}'s phone number",
        "set up a meeting with {name} at three pm",
        "did {name} reply to my email",
        "add {name} to my contacts",
        "call {name} on speaker",
        "i need to talk to {name} about the contract",
        "schedule lunch with {name} and {name2} on friday",
        "when is {name}'s birthday",
        "my name is {name}",
        "this is {name} speaking",
        "tell {name} i will be late",
        "invite {name} to the party on saturday",
        "play the voicemail from {name}",
        "who is {name}",
        "forward the last email to {name}",
        "facetime {name}",
        "ask {name} if she wants pizza",
        "book an appointment with {name}",
        "how old is {name}",
        "remind {name} about the dentist",
        "read me the latest message from {name}",
        "start a video call with {name} and {name2}",
        "i'm {name} and i'd like to check my order",
        "please let {name} know the meeting moved",
        "put {name} on the guest list",
        "whatsapp {name} good night",
        "cancel my call with {name}",
        "is {name} free this afternoon",
        "send {name} the photos from yesterday",
        "my wife {name} will pick it up",
        "dial {name}",
        "message {name} see you at the station",
        "doctor {name} called about the results",
        "note that {name} owes me twenty dollars",
        "the package is for {name}",
    ),
    "address": (
        "i live at {address}",
        "my address is {address}",
        "deliver it to {address}",
        "send a taxi to {address}",
        "navigate to {address}",
        "how long does it take to get to {address}",
        "order a pizza to {address}",
        "the party is at {address}",
        "ship the parcel to {address} please",
        "my new address is {address}",
        "book a cleaner for {address}",
        "we moved to {address} last month",
        "directions to {address}",
        "the office is at {address}",
        "add {address} as my home address",
        "pick me up from {address} at eight",
        "is there parking near {address}",
        "change my delivery address to {address}",
        "i am staying at {address}",
        "send the invoice to {address}",
        "what is the traffic like to {address}",
        "remind me to go to {address} tomorrow",
        "how far is {address} from here",
        "my billing address is {address}",
        "the meeting is at {address} on monday",
        "drop me at {address}",
    ),
    "email": (
        "my email is {email}",
        "send it to {email}",
        "forward this to {email} please",
        "email {name} at {email}",
        "add {email} to the guest list",
        "reply to {email} and say thanks",
        "share the photos with {email}",
        "set {email} as my backup address",
        "my e-mail address is {email}",
        "cc {email} on that message",
        "send the report to {email} by friday",
        "contact me at {email}",
        "the email address is {email}",
        "write to {email} about the refund",
        "update my email to {email}",
        "you can reach {name} at {email}",
        "invite {email} to the meeting",
        "is {email} in my contacts",
        "send an email to {email} saying i am sick",
        "mail the tickets to {email}",
    ),
    "phone": (
        "call {phone}",
        "my number is {phone}",
        "dial {phone} for me",
        "save {phone} as {name}'s number",
        "text {phone} that i'm outside",
        "the number is {phone}",
        "you can reach me on {phone}",
        "add {name} with the number {phone}",
        "who called me from {phone}",
        "block {phone} please",
        "my cell is {phone}",
        "ring {phone} and put it on speaker",
        "update {name}'s mobile to {phone}",
        "call me back at {phone}",
        "send a text to {phone} saying running late",
        "my phone number is {phone}",
        "call {name} on {phone}",
        "the office number is {phone}",
        "is {phone} a spam number",
        "leave a message at {phone}",
    ),
    "card": (
        "my card number is {card}",
        "pay with my visa {card}",
        "use card {card}",
        "charge it to {card}",
        "add a new payment card {card}",
        "the credit card is {card}",
        "my mastercard number {card}",
        "i want to pay using {card}",
        "store the debit card {card}",
        "card number {card} expiry oh nine twenty seven",
        "put it on {card}",
        "my card is {card} and the name on it is {name}",
        "please charge {card} for the order",
        "replace my old card with {card}",
        "the number on the card is {card}",
    ),
    "record": (
        "{name} {address}",
        "{name} {address} {phone}",
        "name {name} address {address}",
        "name {name} email {email} phone {phone}",
        "{name} lives at {address}",
        "contact {name} at {email} or {phone}",
        "the customer is {name} card number {card}",
        "ship to {name} {address}",
        "{name} {email}",
        "my name is {name} and i live at {address}",
        "this is {name} my number is {phone}",
        "{name} at {address} phone {phone}",
        "new contact {name} mobile {phone} email {email}",
        "hi it's {name} from {address} you can reach me on {phone}",
        "{name} {phone} {email}",
        "send the documents to {name} at {address}",
        "billing name {name} card {card}",
        "{name} {address} {email}",
        "please register {name} with email {email}",
        "customer {name} phone {phone} address {address}",
        "{name} can be reached at {phone}",
        "{name}'s address is {address}",
        "the account holder is {name} living at {address}",
        "{name} {card}",
    ),
}


# Training-only templates (never tuned on nor evaluated): more ways a name is said in a request,
# written for training only - possessives, titles, a name after a verb and before the rest of the
# request, two names, a name at the end or alone, a name that is also an ordinary word.
TRAIN_ONLY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "name": (
        "text {name} and {name2} that dinner is at seven",
        "what did {name} say in her last message",
        "remind me that {name}'s flight lands at noon",
        "call {name}'s mobile",
        "email {name} the slides from this morning",
        "is it {name}'s turn to cook tonight",
        "show me the pictures {name} sent",
        "let me know when {name} calls back",
        "ring {name} at work",
        "get {name} on the phone",
        "set a reminder to thank {name} for the gift",
        "any missed calls from {name}",
        "message {name} i will call later",
        "tell {name} happy anniversary",
        "what time is my meeting with {name}",
        "remove {name} from the group chat",
        "where does {name} live",
        "find {name}'s address",
        "i was talking to {name} yesterday",
        "please call {name} back",
        "send {name} a reminder about the rent",
        "have i got anything from {name}",
        "connect me to {name}",
        "can you text {name} for me",
        "how is {name} related to {name2}",
        "play the song {name} recommended",
        "who is {name} married to",
        "ask {name} and {name2} to join the call",
        "the appointment with doctor {name} is on tuesday",
        "my manager {name} wants the report",
        "open the chat with {name}",
        "text {name}",
        "{name}",
        "it's {name}",
        "hello this is {name} calling about my order",
        "put {name} through",
        "what is {name} doing this weekend",
        "remind me to buy flowers for {name}",
        "did {name} like my post",
        "write an email to {name} about the invoice",
        "add {name} as a contact with the nickname {first}",
        "sign this letter {name}",
        "call {name} instead of {name2}",
        "tell me about {name}",
        "whose birthday is next {name}'s or {name2}'s",
    ),
    "email": (
        "email {email} the menu",
        "my address for emails is {email}",
        "send the pdf over to {email}",
    ),
    "record": (
        "from {name} to {name2}",
        "{name} and {name2}",
        "regards {name}",
        "ask for {name} at reception",
    ),
}


def ensure_hash_seed() -> None:
    """Run this process again with PYTHONHASHSEED=0 unless it already has it.

    Some Faker locales pick from sets (it_IT cities), whose order depends on the string hash
    seed: without a fixed seed the same corpus seed gives another corpus in every process."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])


def template_split(index: int) -> str:
    return "heldout" if index % 3 == 2 else "train"


def templates_for(split: str) -> list[tuple[str, int, str]]:
    """(kind, index, template) of the templates of ``split``: "heldout", "tune" (the train
    templates) or "train" (those and the training-only ones, indexed from 100 on)."""
    want = "heldout" if split == "heldout" else "train"
    out = [
        (kind, k, tpl)
        for kind, tpls in TEMPLATES.items()
        for k, tpl in enumerate(tpls)
        if template_split(k) == want
    ]
    if split == "train":
        out += [
            (kind, 100 + k, tpl)
            for kind, tpls in TRAIN_ONLY_TEMPLATES.items()
            for k, tpl in enumerate(tpls)
        ]
    return out


# ---------------------------------------------------------------------------- utterances
@dataclass
class Utterance:
    """A spoken-form sentence with gold word spans [start, end) of a type."""

    id: str
    source: str
    words: list[str]
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    # word spans where a prediction is neither right nor wrong (public artists' names)
    ignore: list[tuple[int, int, str]] = field(default_factory=list)
    # other annotated entities (SLURP place_name, ...): reported, never gold
    other: list[tuple[int, int, str]] = field(default_factory=list)
    locale: str = ""
    template: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def labels(self) -> list[str]:
        """BIO labels per word (B-PERSON, I-PERSON, O ...)."""
        out = ["O"] * len(self.words)
        for s, e, typ in self.spans:
            for k in range(s, e):
                out[k] = ("B-" if k == s else "I-") + typ
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "spans": [list(s) for s in self.spans],
            "ignore": [list(s) for s in self.ignore],
            "locale": self.locale,
            "template": self.template,
        }

    @classmethod
    def from_json(cls, obj: dict) -> Utterance:
        return cls(
            obj["id"],
            obj["source"],
            obj["text"].split(),
            [tuple(s) for s in obj["spans"]],  # type: ignore[misc]
            [tuple(s) for s in obj.get("ignore", [])],  # type: ignore[misc]
            locale=obj.get("locale", ""),
            template=obj.get("template", ""),
        )


class _Faker:
    """One seeded Faker per locale; values as the record says them (written form)."""

    def __init__(self, locale: str, seed: int) -> None:
        from faker import Faker  # the `pii-train` extra; never needed at run time

        self.locale = locale
        self.fake = Faker(locale)
        self.fake.seed_instance(seed)

    def _try(self, *names: str) -> str:
        for name in names:
            method = getattr(self.fake, name, None)
            if method is None:
                continue
            try:
                return str(method())
            except (AttributeError, TypeError, ValueError):
                continue
        return ""

    def name(self) -> str:
        return self._try("name")

    def name_parts(self) -> tuple[str, str, str]:
        first = self._try("first_name")
        return first, self._try("first_name"), self._try("last_name")

    def street(self) -> str:
        return self._try("street_address")

    def city(self) -> str:
        return self._try("city")

    def postcode(self) -> str:
        return self._try("postcode")

    def region(self) -> str:
        return self._try("administrative_unit", "state", "region", "province")

    def country(self) -> str:
        return self._try("current_country")

    def free_domain(self) -> str:
        return self._try("free_email_domain")

    def domain(self) -> str:
        return self._try("domain_name")

    def phone(self) -> str:
        return self._try("phone_number", "cellphone_number")

    def card(self) -> str:
        return re.sub(r"\D", "", self._try("credit_card_number"))


def _address_words(f: _Faker, rng: random.Random) -> list[str]:
    """A street address with, usually, postcode and city and sometimes region and country."""
    street = speech.say_text(f.street(), rng)
    if rng.random() < 0.15 and not any(w in street for w in ("apartment", "suite", "flat")):
        unit = rng.choice(("apartment", "apt", "flat", "suite", "unit", "floor"))
        street += [
            unit,
            *speech.say_alnum(str(rng.randrange(1, 120)) + rng.choice(["", "", "b"]), rng),
        ]
    parts = [street]
    r = rng.random()
    if r < 0.8:
        city = speech.say_text(f.city(), rng)
        post = speech.say_alnum(f.postcode(), rng)
        region = speech.say_text(f.region(), rng) if rng.random() < 0.35 else []
        if f.locale in _CITY_BEFORE_POSTCODE:
            parts += [city, region, post]
        else:
            parts += [post, city, region]
        if rng.random() < 0.2:
            parts.append(speech.say_text(f.country(), rng))
    elif r < 0.9:
        parts.append(speech.say_text(f.city(), rng))
    return [w for p in parts for w in p]


def _email_words(f: _Faker, rng: random.Random, name: tuple[str, str, str] | None) -> list[str]:
    first, middle, last = name or f.name_parts()
    local = speech.local_part_words(first, middle, last, rng)
    domain = f.free_domain() if rng.random() < 0.6 else f.domain()
    return [*local, "at", *speech.say_domain(domain or "example.com", rng)]


def _name_words(f: _Faker, rng: random.Random, pool: list[str]) -> list[str]:
    if pool and rng.random() < 0.2:
        return rng.choice(pool).split()
    return speech.say_name(f.name(), rng)


def _fill(
    template: str, f: _Faker, rng: random.Random, pool: list[str]
) -> tuple[list[str], list[tuple[int, int, str]]]:
    words: list[str] = []
    spans: list[tuple[int, int, str]] = []
    person = f.name_parts()
    for piece in re.split(r"(\{\w+\}(?:'s)?)", template):
        if not piece.strip():
            continue
        m = re.fullmatch(r"\{(\w+)\}('s)?", piece.strip())
        if not m:
            words += piece.split()
            continue
        slot, possessive = m.group(1), m.group(2)
        if slot in ("name", "name2", "first"):
            value = _name_words(f, rng, pool)
            if slot == "name":
                person = (value[0], "", value[-1]) if rng.random() < 0.5 else person
            typ = PERSON
        elif slot == "address":
            value, typ = _address_words(f, rng), ADDRESS
        elif slot == "email":
            value, typ = _email_words(f, rng, person if rng.random() < 0.5 else None), EMAIL
        elif slot == "phone":
            value, typ = speech.say_phone(f.phone(), rng), PHONE
        elif slot == "card":
            value, typ = speech.say_card(f.card(), rng), CARD
        else:
            raise KeyError(slot)
        if not value:
            continue
        if possessive:
            value = [*value[:-1], value[-1] + "'s"]
        spans.append((len(words), len(words) + len(value), typ))
        words += value
    return words, spans


def faker_utterances(
    split: str,
    per_template: int,
    seed: int = 20260101,
    name_pool: list[str] | None = None,
    dev: bool = False,
) -> list[Utterance]:
    """Generated sentences of one split: "train", "tune" (train locales and templates, other
    values), "heldout" (held-out locales x held-out templates) or "dev" (DEV_LOCALES x train
    templates 1 mod 3). ``dev``: "train" leaves the dev locales and templates out."""
    locales = HELDOUT_LOCALES if split == "heldout" else TRAIN_LOCALES
    templates = templates_for("tune" if split == "dev" else split)
    if split == "dev":
        locales = DEV_LOCALES
        templates = [t for t in templates if t[1] % 3 == 1]
    elif dev:
        locales = tuple(x for x in locales if x not in DEV_LOCALES)
        templates = [t for t in templates if t[1] >= 100 or t[1] % 3 != 1]
    out: list[Utterance] = []
    for loc_index, locale in enumerate(locales):
        rng = random.Random(f"{seed}-{split}-{locale}")
        offset = {"train": 0, "tune": 1, "heldout": 2, "dev": 3}[split]
        f = _Faker(locale, seed + 7919 * loc_index + offset)
        for kind, t_index, template in templates:
            for rep in range(per_template):
                words, spans = _fill(template, f, rng, name_pool or [])
                out.append(
                    Utterance(
                        f"faker-{split}-{locale}-{kind}{t_index}-{rep}",
                        f"faker_{split}",
                        words,
                        spans,
                        locale=locale,
                        template=f"{kind}{t_index}",
                    )
                )
    return out


# ---------------------------------------------------------------------------- real requests
def shared_data_dir() -> Path:
    env = os.environ.get("VOXGUARD_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


_SLURP_GOLD = {"person": PERSON, "email_address": EMAIL}
_SLURP_PUBLIC = ("artist_name", "audiobook_author")


def slurp_rows(data: Path) -> list[dict]:
    with (data / "slurp" / "devel.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def slurp_utterance(row: dict) -> Utterance | None:
    """A SLURP record on whitespace words; None if its tokens do not line up with the sentence."""
    words = row["sentence"].lower().split()
    # SLURP tokens split "jean's" into "jean" "'s": map each token to the word that holds it
    token_word: list[int] = []
    w, pos = 0, 0
    for tok in row["tokens"]:
        surface = tok["surface"].lower()
        while w < len(words) and words[w].find(surface, pos) < 0:
            w, pos = w + 1, 0
        if w >= len(words):
            return None
        pos = words[w].find(surface, pos) + len(surface)
        token_word.append(w)
    u = Utterance(f"slurp-{row['slurp_id']}", "slurp", words)
    for ent in row["entities"]:
        s, e = token_word[ent["span"][0]], token_word[ent["span"][-1]] + 1
        if ent["type"] in _SLURP_GOLD:
            u.spans.append((s, e, _SLURP_GOLD[ent["type"]]))
        elif ent["type"] in _SLURP_PUBLIC:
            u.ignore.append((s, e, PERSON))
        else:
            u.other.append((s, e, ent["type"]))
    return u


def is_dev_slurp(slurp_id: int) -> bool:
    """A quarter of SLURP devel (half of the training ids) that a ``--dev`` model never sees."""
    return slurp_id % 4 == 2


def slurp_split(data: Path, split: str) -> list[Utterance]:
    """SLURP devel: "train" = even slurp_id, "eval" = odd slurp_id."""
    parity = 0 if split == "train" else 1
    out = []
    for row in slurp_rows(data):
        if row["slurp_id"] % 2 != parity:
            continue
        u = slurp_utterance(row)
        if u is not None:
            out.append(u)
    return out


def with_names(
    base: list[Utterance], names: list[str], rng: random.Random, source: str, copies: int
) -> list[Utterance]:
    """Sentences with one PERSON span, that span replaced by other names (real contexts)."""
    out = []
    for u in base:
        persons = [s for s in u.spans if s[2] == PERSON]
        if len(persons) != 1 or u.ignore:
            continue
        s, e, _ = persons[0]
        for c in range(copies):
            name = rng.choice(names).split()
            if u.words[e - 1].endswith("'s"):
                name = [*name[:-1], name[-1] + "'s"]
            delta = len(name) - (e - s)

            def shift(span: tuple[int, int, str], s: int = s, delta: int = delta) -> tuple:
                return span if span[1] <= s else (span[0] + delta, span[1] + delta, span[2])

            spans = [shift(x) for x in u.spans if x != persons[0]] + [(s, s + len(name), PERSON)]
            out.append(
                Utterance(
                    f"{u.id}-{source}{c}",
                    source,
                    u.words[:s] + name + u.words[e:],
                    sorted(spans),
                    other=[shift(x) for x in u.other if x[1] <= s or x[0] >= e],
                )
            )
    return out


_SNIPS_PUBLIC_SLOTS = {"artist", "playlist_owner"}


def snips_utterances(data: Path, split: str) -> list[Utterance]:
    """Snips queries as negatives: "train" = train_*_full files, "eval" = validate files."""
    root = data / "snips-nlu-benchmark"
    out = []
    for intent_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        intent = intent_dir.name
        name = f"train_{intent}_full.json" if split == "train" else f"validate_{intent}.json"
        raw = (intent_dir / name).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # PlayMusic's train file is latin-1 (see the data's README)
            text = raw.decode("latin-1")
        for k, query in enumerate(json.loads(text)[intent]):
            if any(chunk.get("entity") in _SNIPS_PUBLIC_SLOTS for chunk in query["data"]):
                continue
            sentence = "".join(chunk["text"] for chunk in query["data"])
            words = _spoken_words(sentence)
            if words:
                out.append(Utterance(f"snips-{split}-{intent}-{k}", "snips", words))
    return out


def _spoken_words(sentence: str) -> list[str]:
    """A written query in transcript form: lower case, punctuation dropped, digits as words."""
    from voxguard.asr.normalize import normalize_text

    return normalize_text(sentence).split()


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    sents: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
            continue
        parts = line.split("\t")
        cur.append((parts[0], parts[-1]))
    if cur:
        sents.append(cur)
    return sents


def wnut_persons(sents: list[list[tuple[str, str]]]) -> list[str]:
    """Person names of WNUT-17 sentences in spoken form (at most three words, letters only)."""
    names: list[str] = []
    for sent in sents:
        cur: list[str] = []
        for tok, tag in [*sent, ("", "O")]:
            if tag == "I-person" and cur:
                cur.append(tok)
                continue
            if cur:
                spoken = " ".join(speech.fold(t) for t in cur)
                spoken = re.sub(r"[^a-z' \-]", "", spoken).replace("-", " ")
                if spoken.split() and len(spoken.split()) <= 3:
                    names.append(" ".join(spoken.split()))
                cur = []
            if tag == "B-person":
                cur = [tok]
    return sorted(set(names))


def faker_name_pool(locales: tuple[str, ...], per_locale: int, seed: int) -> list[str]:
    rng = random.Random(f"{seed}-names")
    pool = []
    for k, locale in enumerate(locales):
        f = _Faker(locale, seed + k)
        pool += [" ".join(speech.say_name(f.name(), rng)) for _ in range(per_locale)]
    return [p for p in pool if p]


def gazetteer_locales(dev: bool = False) -> tuple[str, ...]:
    return tuple(x for x in TRAIN_LOCALES + NAME_LOCALES if not (dev and x in DEV_LOCALES))


def build_gazetteer(dev: bool = False) -> object:
    """Given names and surnames of the person lists of ``gazetteer_locales`` (never a held-out
    locale's), as ``voxguard.privacy.pii.tagger.names.Gazetteer``."""
    from faker import Faker

    from voxguard.privacy.pii.tagger.names import Gazetteer, name_words

    first: set[str] = set()
    last: set[str] = set()
    for locale in gazetteer_locales(dev):
        providers = [
            p
            for p in Faker(locale).get_providers()
            if type(p).__module__.startswith("faker.providers.person")
        ]
        for attr in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "first_names_nonbinary",
            "last_names",
            "last_names_male",
            "last_names_female",
        ):
            values = getattr(providers[0], attr, None) if providers else None
            if values is None or callable(values):
                continue
            words = name_words(values.keys() if isinstance(values, dict) else values, speech.fold)
            (first if attr.startswith("first") else last).update(words)
    return Gazetteer(frozenset(first), frozenset(last))


def training_corpus(
    data: Path, per_template: int = 3, seed: int = 20260101, dev: bool = False
) -> list[Utterance]:
    """Everything the tagger is trained on (deterministic for a given seed and Faker version).
    ``dev``: without the dev locales and templates (``DEV_LOCALES``) and the dev SLURP ids
    (``is_dev_slurp``)."""
    rng = random.Random(f"{seed}-train")
    wnut_train = wnut_persons(read_conll(data / "wnut17" / "wnut17train.conll"))
    faker_names = faker_name_pool(gazetteer_locales(dev), 40, seed)
    pool = wnut_train + faker_names
    corpus = faker_utterances("train", per_template, seed, name_pool=pool, dev=dev)
    slurp = [u for u in slurp_split(data, "train") if not u.ignore]
    if dev:
        slurp = [u for u in slurp if not is_dev_slurp(int(u.id.removeprefix("slurp-")))]
    corpus += slurp
    persons = [u for u in slurp if any(s[2] == PERSON for s in u.spans)]
    corpus += with_names(persons, faker_names + wnut_train, rng, "slurp_names", copies=8)
    corpus += [u for k, u in enumerate(snips_utterances(data, "train")) if k % 10 != 0]
    return corpus


def tuning_corpus(data: Path, seed: int = 20260101) -> list[Utterance]:
    """Where the tagger's threshold is chosen: train locales and templates with other values,
    and the tenth of the Snips train queries that training leaves out."""
    corpus = faker_utterances("tune", 1, seed)
    corpus += [u for k, u in enumerate(snips_utterances(data, "train")) if k % 10 == 0]
    return corpus


def iter_jsonl(path: Path) -> Iterator[Utterance]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Utterance.from_json(json.loads(line))


SLICE_PATH = Path(__file__).resolve().parents[1] / "tests" / "privacy" / "data" / "pii_slice.jsonl"
SLICE_EVERY = 4  # one held-out utterance in four: a few hundred, scored in seconds


def write_slice(path: Path = SLICE_PATH, seed: int = 20260101) -> int:
    """The fixed evaluation slice the tests read: held-out locales x held-out templates only,
    with seed ``seed + 1`` so its values differ from the benchmark's held-out split too."""
    utterances = faker_utterances("heldout", 1, seed + 1)[::SLICE_EVERY]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for u in utterances:
            fh.write(json.dumps(u.to_json(), ensure_ascii=False) + "\n")
    return len(utterances)


if __name__ == "__main__":
    ensure_hash_seed()
    print(f"wrote {write_slice()} utterances to {SLICE_PATH}")

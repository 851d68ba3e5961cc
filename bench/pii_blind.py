"""A blind spoken-PII evaluation set, written apart from the tagger's own generator.

The tagger is trained and tuned on ``pii_corpus``'s templates and ``pii_speech``'s ways of saying
things, so its held-out split still shares their phrasing. This set was written without looking
at either: its own carrier sentences, its own verbaliser (below) and Faker records of many
locales, after the description of the set issue 11's evaluators hold ("synthetic multi-locale
records read out the way people say them"): names with middle initials, possessives, titles,
rare and non-English names, lower-case names that are ordinary words; street addresses with house
numbers said as words, foreign street names, apartment/suite, city, region, country and postcode;
e-mails with a multi-word local part; phone and card numbers in several spoken styles; and
requests without PII (times, jokes, the weather in a place) that must not be bleeped.

Three parts, disjoint in locales, templates and word-names:

- ``look``: may be looked at while changing the tagger or the rules;
- ``sealed``: scored once before and once after a change, never while tuning;
- ``sealed2``: written after ``sealed`` had been scored with a first change, for a second one.

Gold spans: a person's name without its title (the title says nothing about who), the whole
address run (house number to country and postcode), the whole e-mail ("anna maria kovacs at
freemail dot hu"), the phone or card number. City and country names in requests without an
address are not PII.

Run through ``bench/pii_data.py --split blind-look`` (or ``blind-sealed``, ``blind-sealed2``).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from faker import Faker

from pii_corpus import ADDRESS, CARD, EMAIL, PERSON, PHONE, Utterance
from voxguard.asr.number_words import ONES_WORDS, TENS_WORDS

HALVES = ("look", "sealed", "sealed2")
SEED = 20261207

# Locales whose Faker providers have native addresses (others fall back to US ones).
LOCALES = {
    "look": (
        "en_US",
        "en_IN",
        "en_PH",
        "de_DE",
        "fi_FI",
        "it_IT",
        "es_MX",
        "pl_PL",
        "hu_HU",
        "fr_FR",
        "nl_NL",
        "ro_RO",
    ),
    "sealed": (
        "en_GB",
        "en_AU",
        "de_AT",
        "sv_SE",
        "da_DK",
        "es_ES",
        "pt_PT",
        "pt_BR",
        "sk_SK",
        "cs_CZ",
        "sl_SI",
        "id_ID",
    ),
    "sealed2": (
        "en_NZ",
        "en_IE",
        "es_CO",
        "es_CL",
        "es_AR",
        "nl_BE",
        "de_CH",
        "fr_CH",
        "hr_HR",
        "no_NO",
        "zu_ZA",
        "fil_PH",
    ),
}
# Names that are also ordinary English words; said lower case they look like anything else.
WORD_NAMES = {
    "look": (
        "pink",
        "trump",
        "rose",
        "king",
        "bill",
        "frank",
        "hope",
        "young",
        "brown",
        "wood",
        "price",
        "rich",
        "ford",
        "bell",
        "cook",
        "page",
        "chase",
        "penny",
        "april",
        "summer",
        "joy",
        "stone",
        "swift",
        "lane",
        "park",
        "baker",
        "fisher",
        "turner",
        "will",
        "hunter",
    ),
    "sealed": (
        "johns",
        "may",
        "mark",
        "grace",
        "white",
        "green",
        "black",
        "hill",
        "bush",
        "banks",
        "case",
        "love",
        "pope",
        "reed",
        "ruby",
        "june",
        "dawn",
        "faith",
        "river",
        "fox",
        "wolf",
        "gray",
        "moss",
        "west",
        "little",
        "long",
        "bishop",
        "mason",
        "singer",
        "weaver",
    ),
    "sealed2": (
        "bliss",
        "sterling",
        "berry",
        "cotton",
        "sands",
        "marsh",
        "brooks",
        "wells",
        "gold",
        "silver",
        "hart",
        "lamb",
        "bird",
        "crane",
        "fields",
        "frost",
        "snow",
        "winter",
        "storm",
        "lake",
        "brook",
        "shepherd",
        "porter",
        "potter",
        "sawyer",
        "archer",
        "bowman",
        "glass",
        "holly",
        "ivy",
    ),
}
TITLES = ("doctor", "mister", "missus", "miss", "professor", "aunt", "uncle", "nurse", "coach")

# Carrier sentences. {name}: a person, {word_name}: a name that is an ordinary word, {address},
# {email}, {phone}, {card}; {place}/{country}: a city or country that is not PII here.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "look": {
        PERSON: (
            "call {name} on speaker",
            "text {name} that dinner is at eight",
            "is {name} free on friday afternoon",
            "remind me to send {name} the slides",
            "what did {name} say in the last message",
            "put lunch with {name} in my calendar for tuesday",
            "how old is {name}",
            "read me {name}'s last email",
            "share my location with {word_name}",
            "ring {word_name} back please",
            "did {word_name} reply to my invitation",
            "facetime {title} {name}",
            "book an appointment with {title} {name} next week",
        ),
        ADDRESS: (
            "my address is {address}",
            "send the package to {address}",
            "navigate to {address}",
            "we moved to {address} last month",
            "order a taxi to {address} for seven",
            "the party is at {address}",
            "how long does it take to drive to {address}",
        ),
        EMAIL: (
            "send the tickets to {email}",
            "my email address is {email}",
            "add {email} to the meeting invite",
            "reply to {email} that i agree",
            "can you check whether {email} wrote back",
        ),
        PHONE: (
            "dial {phone}",
            "my phone number is {phone}",
            "save {phone} under {name}",
            "send a message to {phone} saying i am outside",
            "who does {phone} belong to",
        ),
        CARD: (
            "pay with card number {card}",
            "my card is {card}",
            "add {card} as a payment method",
            "use the credit card {card} for this order",
        ),
        "record": (
            "new contact {name} phone {phone}",
            "this is {name} calling from {address}",
            "{name} lives at {address} and her email is {email}",
            "sign me up as {name} email {email}",
        ),
        "none": (
            "set an alarm for {time}",
            "wake me up at {time} tomorrow",
            "tell me a joke",
            "what's the weather in {place}",
            "will it rain in {place} this weekend",
            "how far is {place} from here",
            "play the news",
            "turn the volume down to {small}",
            "set a timer for {small} minutes",
            "what time is it in {country}",
            "add {small} eggs to the shopping list",
            "tell me something funny",
            "find flights to {place} in {month}",
            "what's {big} plus {small}",
            "dim the lights in the living room",
            "start a workout playlist",
        ),
    },
    "sealed": {
        PERSON: (
            "send a voice note to {name}",
            "when is {name}'s birthday",
            "message {name} i'll be ten minutes late",
            "cancel my meeting with {name}",
            "i need to call {name} back",
            "add {name} to the family group",
            "what's {name}'s work number",
            "tell {word_name} i'm on my way",
            "email {word_name} the photos from saturday",
            "show me texts from {word_name}",
            "schedule a call with {title} {name} at noon",
            "ask {title} {name} whether the results are in",
        ),
        ADDRESS: (
            "i live at {address}",
            "deliver it to {address} please",
            "get me directions to {address}",
            "the new office is {address}",
            "set my home address to {address}",
            "find a pharmacy near {address}",
        ),
        EMAIL: (
            "email it to {email}",
            "you can write to me at {email}",
            "change my login to {email}",
            "forward the receipt to {email} thanks",
            "is {email} on the guest list",
        ),
        PHONE: (
            "call {phone} please",
            "you can reach me on {phone}",
            "text {phone} that the door code changed",
            "block calls from {phone}",
            "add the number {phone} to {name}",
        ),
        CARD: (
            "charge it to {card}",
            "the card number is {card} expiring next year",
            "save {card} for later purchases",
            "i'll pay with {card}",
        ),
        "record": (
            "my name is {name} and i live at {address}",
            "contact details {name} {email} {phone}",
            "please bill {name} at {address} card {card}",
            "{name} can be reached on {phone} or at {email}",
        ),
        "none": (
            "set an alarm for {time} every weekday",
            "tell me a joke about cats",
            "is it cold in {place} today",
            "weather forecast for {place}",
            "directions to the nearest petrol station",
            "what's the population of {country}",
            "remind me in {small} minutes to check the oven",
            "snooze for {small} minutes",
            "how do you say thank you in {lang}",
            "read me a bedtime story",
            "what's {big} divided by {small}",
            "order {small} pizzas for tonight",
            "turn on the kitchen lights at {time}",
            "how many hours until {time}",
            "play something relaxing",
            "what's on my calendar for {month}",
        ),
    },
    # Written after the look and sealed halves had been scored, before the second change was
    # scored on it: a third, unseen half for that change.
    "sealed2": {
        PERSON: (
            "start a video call with {name}",
            "did {name} accept the invitation",
            "i owe {name} twenty dollars remind me",
            "pick up {name} from the station at six",
            "what's the last thing {name} posted",
            "write down that {name}'s flight lands at noon",
            "call {word_name} on whatsapp",
            "has {word_name} seen my message",
            "invite {word_name} to dinner on sunday",
            "leave a note for {title} {name}",
            "is {title} {name} in the office today",
            "remind {name} about the dentist",
        ),
        ADDRESS: (
            "the delivery address is {address}",
            "take me to {address}",
            "please note my new address {address}",
            "the keys are at {address}",
            "book a cleaner for {address} on monday",
            "what's the quickest route to {address}",
        ),
        EMAIL: (
            "send a copy to {email}",
            "the email on the account is {email}",
            "notify {email} when it ships",
            "put {email} in cc",
            "send my boarding pass to {email}",
        ),
        PHONE: (
            "my mobile is {phone}",
            "phone {phone} now",
            "give {name} a call on {phone}",
            "the number to call back is {phone}",
            "forward my calls to {phone}",
        ),
        CARD: (
            "card number {card}",
            "pay the bill with {card}",
            "my new visa is {card}",
            "replace my old card with {card}",
        ),
        "record": (
            "guest {name} address {address}",
            "emergency contact {name} phone {phone}",
            "{name} from {address} paid with {card}",
            "register {name} with the email {email} and the number {phone}",
        ),
        "none": (
            "set an alarm for {time} on weekends",
            "tell me a knock knock joke",
            "what's the temperature in {place} right now",
            "do i need an umbrella in {place} tomorrow",
            "how long is the flight to {country}",
            "remind me in {small} hours to call the bank",
            "make a shopping list with {small} apples",
            "what's {big} times {small}",
            "play the radio",
            "turn off all the lights at {time}",
            "what's the capital of {country}",
            "count down from {small}",
            "give me a fun fact",
            "when does the sun set in {place}",
            "how's the traffic to work",
            "what holidays are in {month}",
        ),
    },
}
PER_KIND = {PERSON: 170, ADDRESS: 150, EMAIL: 110, PHONE: 90, CARD: 60, "record": 70, "none": 110}
MONTHS = ("january", "march", "april", "june", "august", "october", "december")
LANGS = ("finnish", "polish", "hungarian", "portuguese", "italian", "swedish")


# ------------------------------------------------------------------------- saying things
def plain(text: str, rng: random.Random) -> list[str]:
    """Text as a transcript has it: lower case, mostly without accents, no punctuation."""
    text = text.lower()
    if rng.random() < 0.85:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("ł", "l").replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    text = re.sub(r"[-/]", " ", text)
    return re.sub(r"[^\w' ]", " ", text).split()


def number_words(n: int, with_and: bool) -> list[str]:
    """A cardinal: 5850 -> "five thousand eight hundred (and) fifty"."""
    if n < 20:
        return [ONES_WORDS[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [TENS_WORDS[tens]] + ([ONES_WORDS[ones]] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        tail = (["and"] if with_and else []) + number_words(rest, with_and) if rest else []
        return [ONES_WORDS[hundreds], "hundred", *tail]
    thousands, rest = divmod(n, 1000)
    head = [*number_words(thousands, with_and), "thousand"]
    if not rest:
        return head
    return head + (["and"] if with_and and rest < 100 else []) + number_words(rest, with_and)


def digit_words(digits: str, rng: random.Random, zero: str = "") -> list[str]:
    """Digit by digit; zero as "oh" or "zero", repeats sometimes "double"/"triple"."""
    zero = zero or rng.choice(("oh", "zero"))
    merge = rng.random() < 0.5
    out: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        word = zero if d == "0" else ONES_WORDS[int(d)]
        run = len(digits[i:]) - len(digits[i:].lstrip(d))
        if merge and run >= 3:
            out += ["triple", word]
            i += 3
        elif merge and run == 2:
            out += ["double", word]
            i += 2
        else:
            out.append(word)
            i += 1
    return out


def pair_words(digits: str, rng: random.Random) -> list[str]:
    """Two digits at a time where that reads naturally ("forty one", "oh seven")."""
    out: list[str] = []
    for k in range(0, len(digits), 2):
        pair = digits[k : k + 2]
        if len(pair) == 2 and pair[0] != "0":
            out += number_words(int(pair), False)
        else:
            out += digit_words(pair, rng, zero="oh")
    return out


def house_number(digits: str, rng: random.Random) -> list[str]:
    n = int(digits)
    style = rng.random()
    if n < 100 or style < 0.45:
        return number_words(n, with_and=rng.random() < 0.6)
    if style < 0.75 and len(digits) == 4:  # "fifty eight fifty"
        hi, lo = divmod(n, 100)
        return number_words(hi, False) + (number_words(lo, False) if lo else ["hundred"])
    return digit_words(digits, rng)


def say_code(code: str, rng: random.Random) -> list[str]:
    """A postcode or house number with letters: digits by a style, letters one by one."""
    out: list[str] = []
    for chunk in re.findall(r"\d+|[A-Za-z]+", code):
        if chunk.isdigit():
            out += digit_words(chunk, rng) if rng.random() < 0.7 else pair_words(chunk, rng)
        else:
            out += list(chunk.lower()) if len(chunk) <= 3 else plain(chunk, rng)
    return out


def say_tokens(text: str, rng: random.Random) -> list[str]:
    """Free address text: numbers said as house numbers, words as words."""
    out: list[str] = []
    for tok in re.split(r"[\s,]+", text):
        if re.fullmatch(r"\d+\.?", tok):
            out += house_number(tok.rstrip("."), rng)
        elif re.search(r"\d", tok):
            out += say_code(tok, rng)
        elif tok:
            out += plain(tok, rng)
    return out


# ------------------------------------------------------------------------- Faker values
def _field(f: Faker, *names: str) -> str:
    for name in names:
        try:
            value = getattr(f, name)()
        except AttributeError:
            continue
        if value:
            return str(value)
    return ""


def person(f: Faker, rng: random.Random) -> list[str]:
    first = plain(_field(f, "first_name"), rng)
    last = plain(_field(f, "last_name"), rng)
    style = rng.random()
    if style < 0.2:  # middle initial: "barbara m probst"
        return [*first, rng.choice("abcdefghjklmnprstw"), *last]
    if style < 0.3:
        return first + plain(_field(f, "first_name"), rng) + last
    if style < 0.42:
        return first
    if style < 0.5:
        return last
    return first + last


def address(f: Faker, locale: str, rng: random.Random) -> list[str]:
    number = re.sub(r"\D", "", _field(f, "building_number")) or str(rng.randrange(1, 300))
    street = say_tokens(_field(f, "street_name"), rng)
    said_number = house_number(number, rng)
    words = said_number + street if locale.startswith("en") else street + said_number
    if rng.random() < 0.35:
        unit = rng.choice(("apartment", "apt", "suite", "flat", "unit", "floor"))
        words += [unit, *house_number(str(rng.randrange(1, 60)), rng)]
        if rng.random() < 0.3:
            words.append(rng.choice("abcd"))
    city = plain(_field(f, "city"), rng)
    region = plain(_field(f, "administrative_unit", "state", "region"), rng)
    postcode = say_code(_field(f, "postcode"), rng)
    country = plain(_field(f, "current_country"), rng)
    order = rng.random()
    if order < 0.3:
        tail = city + region + postcode
    elif order < 0.55:
        tail = postcode + city + country
    elif order < 0.75:
        tail = city + postcode + region + country
    elif order < 0.9:
        tail = city
    else:
        tail = []
    return words + tail


def email(f: Faker, rng: random.Random) -> list[str]:
    first, last = plain(_field(f, "first_name"), rng), plain(_field(f, "last_name"), rng)
    style = rng.random()
    if style < 0.3:  # "first middle last at domain dot hu"
        local = first + plain(_field(f, "first_name"), rng) + last
    elif style < 0.55:
        local = [*first, rng.choice(("dot", "underscore")), *last]
    elif style < 0.7:
        local = [first[0][0], *last]
    elif style < 0.85:
        local = first + last + number_words(rng.randrange(1, 99), False)
    else:
        local = last + digit_words(str(rng.randrange(1950, 2010)), rng)
    domain = _field(f, "free_email_domain").lower().split(".")
    said_domain: list[str] = []
    for k, part in enumerate(domain):
        said_domain += (["dot"] if k else []) + plain(part, rng)
    at = ["at", "sign"] if rng.random() < 0.2 else ["at"]
    return local + at + said_domain


def phone(f: Faker, rng: random.Random) -> list[str]:
    raw = _field(f, "phone_number").split("x")[0]
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7:  # a locale without phone numbers (en_PH): ten digits said in groups
        digits = "".join(str(rng.randrange(10)) for _ in range(10))
        raw = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    prefix: list[str] = ["plus"] if raw.strip().startswith("+") else []
    style = rng.random()
    if style < 0.45:
        return prefix + digit_words(digits, rng)
    if style < 0.7:
        return prefix + pair_words(digits, rng)
    groups = [g for g in re.split(r"\D+", raw.lstrip("+")) if g]
    out = list(prefix)
    for k, g in enumerate(groups):
        out += (["dash"] if k and rng.random() < 0.3 else []) + digit_words(g, rng)
    return out


def card(f: Faker, rng: random.Random) -> list[str]:
    digits = _field(f, "credit_card_number")
    style = rng.random()
    if style < 0.5:
        return digit_words(digits, rng)
    if style < 0.8:
        out: list[str] = []
        for k in range(0, len(digits), 4):
            out += pair_words(digits[k : k + 4], rng)
        return out
    return digit_words(digits, rng, zero="zero")


def clock_time(rng: random.Random) -> list[str]:
    hour, minute = rng.randrange(1, 13), rng.choice((0, 5, 15, 20, 30, 45, 50))
    if minute == 0:
        return number_words(hour, False) + rng.choice(([], ["o'clock"], ["am"], ["pm"]))
    if rng.random() < 0.3 and minute in (15, 30, 45):
        return {15: ["quarter", "past"], 30: ["half", "past"], 45: ["quarter", "to"]}[minute] + (
            number_words(hour, False)
        )
    return number_words(hour, False) + number_words(minute, False)


# ------------------------------------------------------------------------- utterances
Filler = Callable[[], tuple[list[str], str | None]]


def fill(template: str, fillers: dict[str, Filler]) -> tuple[list[str], list[tuple[int, int, str]]]:
    words: list[str] = []
    spans: list[tuple[int, int, str]] = []
    for piece in re.split(r"(\{\w+\}(?:'s)?)", template):
        slot = re.fullmatch(r"\{(\w+)\}('s)?", piece)
        if not slot:
            words += piece.split()
            continue
        value, typ = fillers[slot.group(1)]()
        if slot.group(2):  # the possessive sticks to the last word: "george eliot's"
            value = [*value[:-1], value[-1] + "'s"]
        if typ:
            spans.append((len(words), len(words) + len(value), typ))
        words += value
    return words, spans


def _fillers(f: Faker, locale: str, half: str, rng: random.Random) -> dict[str, Filler]:
    def place() -> tuple[list[str], str | None]:
        return plain(_field(f, "city"), rng), None

    values: dict[str, Callable[[], Any]] = {
        "name": lambda: (person(f, rng), PERSON),
        "word_name": lambda: (
            [rng.choice(WORD_NAMES[half])]
            + (plain(_field(f, "last_name"), rng) if rng.random() < 0.3 else []),
            PERSON,
        ),
        "title": lambda: ([rng.choice(TITLES)], None),
        "address": lambda: (address(f, locale, rng), ADDRESS),
        "email": lambda: (email(f, rng), EMAIL),
        "phone": lambda: (phone(f, rng), PHONE),
        "card": lambda: (card(f, rng), CARD),
        "place": place,
        "country": lambda: (plain(_field(f, "current_country", "country"), rng), None),
        "time": lambda: (clock_time(rng), None),
        "small": lambda: (number_words(rng.randrange(2, 40), False), None),
        "big": lambda: (number_words(rng.randrange(100, 9999), rng.random() < 0.5), None),
        "month": lambda: ([rng.choice(MONTHS)], None),
        "lang": lambda: ([rng.choice(LANGS)], None),
    }
    return values


def blind_utterances(half: str, seed: int = SEED) -> list[Utterance]:
    """The ``look`` or ``sealed`` half: Faker records of that half's locales in its templates."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}")
    rng = random.Random(f"{seed}-{half}")
    fakers = {loc: Faker(loc) for loc in LOCALES[half]}
    for k, f in enumerate(fakers.values()):
        f.seed_instance(seed + k)
    out: list[Utterance] = []
    for kind, count in PER_KIND.items():
        templates = TEMPLATES[half][kind]
        for n in range(count):
            locale = LOCALES[half][n % len(LOCALES[half])]
            t = rng.randrange(len(templates))
            words, spans = fill(templates[t], _fillers(fakers[locale], locale, half, rng))
            source = "blind" if kind != "none" else "blind_neg"
            out.append(
                Utterance(
                    f"blind-{half}-{kind}-{n}",
                    source,
                    words,
                    spans,
                    locale=locale,
                    template=f"{half}-{kind}-{t}",
                )
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Print a half as JSON lines (``--jsonl``) or every seventh utterance with its gold marked.

    Faker picks some values (it_IT cities) from sets, whose order follows the string hash seed:
    the set is the same in every run only with PYTHONHASHSEED=0, which this sets."""
    import argparse
    import json

    from pii_corpus import ensure_hash_seed

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("half", choices=HALVES)
    ap.add_argument("--jsonl", action="store_true")
    args = ap.parse_args(argv)
    ensure_hash_seed()
    utterances = blind_utterances(args.half)
    if args.jsonl:
        for u in utterances:
            print(json.dumps(u.to_json()))
        return 0
    for u in utterances[::7]:
        marked = list(u.words)
        for s, e, typ in u.spans:
            marked[s] = f"[{typ}: " + marked[s]
            marked[e - 1] += "]"
        print(u.locale, " ".join(marked))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rule spans and the tagger's words, joined into the spans a review draft hides.

``combine`` is the one place the two sources meet: recall first, every word either source
claims is hidden; the guards on what the tagger alone may claim, the run types it reads through
a rule's guess, and the growth of names and addresses over their neighbours all live here, each
a small function named for its rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxguard.asr.number_words import CARDINAL_WORDS, DIGIT_WORDS, REPEATER_WORDS

from .entities import (
    ALL_TYPES,
    CREDIT_CARD,
    EMAIL_ADDRESS,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
)
from .lexicon import (
    COMM_VERBS,
    DETERMINERS,
    DOMAIN_WORDS,
    LETTER_WORDS,
    RELATIONS,
    STRONG_NAME_CUES,
    TITLES,
    UNIT_WORDS,
    WAKE_WORDS,
    Lexicon,
    wordset,
)
from .numbers import NormalisedText
from .places import in_a_place_frame
from .tagger.features import fold
from .tagger.words import (
    EMAIL_JOINERS,
    STREET_WORDS,
    US_STREET_SUFFIXES,
    is_number_word,
    is_street_word,
)

# Per word: the tagger's type (or None) and its probability; the (type, score) that hides the
# word so far, or None.
Tagged = list[tuple[str | None, float]]
Claims = list[tuple[str, float] | None]

# Recall first: every rule detection is bleeped as it is, and the tagger's words are added to
# them (the rules' spans are also one of the tagger's features).
RULE_TYPES_KEPT = frozenset(ALL_TYPES)


@dataclass(frozen=True)
class PiiSpan:
    start: int  # character offsets into the original text
    end: int
    type: str
    score: float
    word_start: int  # word index range [word_start, word_end) over text.split()
    word_end: int


def word_types(spans: list[PiiSpan], n_words: int) -> list[str | None]:
    """The type of the span covering each word, or None."""
    types: list[str | None] = [None] * n_words
    for s in spans:
        for w in range(s.word_start, min(s.word_end, n_words)):
            types[w] = s.type
    return types


# Words a phone or card number can be said with; the tagger's number types stay on them.
_NUMBER_SAYING = frozenset(
    [
        *DIGIT_WORDS,
        *CARDINAL_WORDS,
        *REPEATER_WORDS,
        *["dash", "hyphen", "plus", "extension", "ext", "x", "and", "point"],
    ]
)
_NUMBER_TYPES = frozenset({PHONE_NUMBER, CREDIT_CARD})
_IDENTIFIER_WORDS = frozenset(["iban", "ssn", "pin", "bic", "postcode", "zip", "vat"])
# A bank code's name that is also a surname: the code's only where a code is spoken of
# ("my swift code", "iban and swift"), a name after a name ("taylor swift").
_CODE_NAMES = frozenset(["swift"])
_CODE_NAME_CONTEXT = _IDENTIFIER_WORDS | DETERMINERS | frozenset(["code", "number", "and", "or"])


# The tagger's belief from which an "a" after a name is a middle initial (_articles_after_names).
_STRONG_INITIAL = 0.45
_MODALS = wordset("can could will would shall should may might must do does did")
_SUBJECT_PRONOUNS = wordset("i you we they he she")


def _tagger_may_claim(typ: str, word: str, lexicon: Lexicon, before_number: bool = False) -> bool:
    """Guards on what the tagger alone may hide: a phone or card number is said in number words,
    and a name is never "mom", "alexa" or a function word ("this", "a"), though it may carry a
    title ("doctor burke"); nor a request's own word ("is traffic heavy"), unless a number
    follows it ("... number thirty two": a bleep there joins the number's)."""
    if typ in _NUMBER_TYPES:
        return word in _NUMBER_SAYING or any(c.isdigit() for c in word)
    if typ == STREET_ADDRESS:  # "... apartment four please": the request's words stay
        return word not in DOMAIN_WORDS
    if word in _IDENTIFIER_WORDS:  # "my iban is ...": the name of a number is no person
        return False
    if typ == PERSON:
        bare = word[:-2] if word.endswith("'s") else word
        return (
            bare in TITLES
            or len(bare) == 1  # a middle initial ("rita a quintero")
            or not (
                bare in RELATIONS
                or bare in WAKE_WORDS
                or word == "let's"  # a contraction, no one's possessive
                or bare in lexicon.stop_words
                # "is traffic heavy", "put lunch with ...": a request's word no name list has
                # ("june", "read" and "ring" are names too, and a miss costs more than a bleep)
                or (
                    (bare in DOMAIN_WORDS or bare in COMM_VERBS)
                    and not lexicon.in_name_lists(bare)
                    and not before_number
                )
            )
        )
    return True


def _ordinary_verb(word: str, lexicon: Lexicon) -> bool:
    return lexicon.is_non_noun_word(word) and not lexicon.in_name_lists(word)


def _no_name_here(norm: NormalisedText, k: int, lexicon: Lexicon) -> bool:
    """Word k is no one's name where it stands, whatever the tagger reads: an English word after
    a cue said as a noun ("pay my phone bill", "read the text message": a determiner before
    "phone" makes it no verb) or after a possessive ("grace's recital"), or a bank code's name
    where a code is spoken of."""
    words = norm.words
    word = words[k].core
    prev = words[k - 1].core if k > 0 else ""
    nxt = words[k + 1].core if k + 1 < len(words) else ""
    if word in _CODE_NAMES:
        return prev in _CODE_NAME_CONTEXT or nxt in _CODE_NAME_CONTEXT or _before_number(norm, k)
    if in_a_place_frame([w.core for w in words], k, lexicon):
        return True
    cue_said_as_noun = prev in STRONG_NAME_CUES and k > 1 and words[k - 2].core in DETERMINERS
    # "can you speak louder": after a modal and its subject comes a verb ("speak" and "said"
    # are surnames too)
    verb_after_modal = (
        prev in _SUBJECT_PRONOUNS
        and k > 1
        and words[k - 2].core in _MODALS
        and lexicon.is_non_noun_word(word)
    )
    if verb_after_modal:
        return True
    # "tell john i said hi", "text maria i am late": "i" before a verb or function word is the
    # speaker; so is the verb after it, unless a name list has it ("maria i brown" stays hidden)
    if word == "i" and (nxt in lexicon.stop_words or _ordinary_verb(nxt, lexicon)):
        return True
    if prev == "i" and k > 1 and _ordinary_verb(word, lexicon):
        return True
    # what follows a possessive is what the person has ("grace's recital"), not more name
    # ("what's trump been on about" is a contraction, no possessive)
    owned = prev.endswith("'s") and prev[:-2] not in lexicon.stop_words and prev != "let's"
    return (
        (cue_said_as_noun or owned) and lexicon.is_english(word) and not lexicon.name_dominant(word)
    )


def _may_claim_here(typ: str, norm: NormalisedText, k: int, lexicon: Lexicon) -> bool:
    """``_tagger_may_claim`` for word k, and no name where its context says there is none."""
    core = norm.words[k].core
    if not _tagger_may_claim(typ, core, lexicon, _before_number(norm, k)):
        return False
    return typ != PERSON or not _no_name_here(norm, k, lexicon)


# Rules that guess a type from one cue: a count of digits (a phone pattern) or capital letters
# (spaCy's person). Inside an address or an e-mail the same cue is a postcode, a town or a
# name in the local part, and the tagger, reading the whole run, says so.
_GUESSING_RULE_TYPES = frozenset({PHONE_NUMBER, PERSON})
_RUN_TYPES = frozenset({STREET_ADDRESS, EMAIL_ADDRESS})


def _tagger_run_through(
    span: PiiSpan,
    tagged: Tagged,
    norm: NormalisedText,
    lexicon: Lexicon,
) -> str | None:
    """The type the tagger names the words of a guessing rule's ``span`` with, when they sit
    inside an address or e-mail run it reads; else None, and the rule's type stands. Either way
    every word stays hidden: only its type changes. The run must place the span where such a
    word sits, since the tagger's runs overreach at their edges (it reads a name said just
    before an address as the address's start, a phone number after it as its end):

    - in an address, a name after its house number or postcode (a town, a region: "... utca two
      thirteen balatonhidvar"), or after or beside a street word (the street's own name:
      "soseaua dima nr forty seven", "avenue georges leroy ninety seven"); a postcode between
      the street and the town ("suite thirty one two six four five three eight two covilha");
    - in an e-mail, a name inside the local part or before a joining word ("viktor underscore
      zsolt underscore szabo at ...")."""
    if span.type not in _GUESSING_RULE_TYPES:
        return None
    types = {tagged[w][0] for w in range(span.word_start, span.word_end)}
    run_type = types.pop() if len(types) == 1 else None
    if run_type not in _RUN_TYPES:
        return None
    words = [w.core for w in norm.words]
    start = span.word_start
    while start > 0 and tagged[start - 1][0] == run_type:
        start -= 1
    before = start < span.word_start
    after = span.word_end < len(words) and tagged[span.word_end][0] == run_type
    next_word = words[span.word_end] if after else ""
    if run_type == EMAIL_ADDRESS:
        # a word joining the local part ("dot", "underscore"), not the "at" before the domain:
        # a name said before "at" may be the record's name before its e-mail (measured: the
        # held-out PERSON under its own type 0.943 -> 0.941 with "at")
        joined = next_word in EMAIL_JOINERS and next_word != "at"
        # a name with digits after it is a local part ("gonzalez one nine six oh at ..."): a
        # local part of digits alone is rare
        digits_after = after and _said_in_numbers(next_word)
        return run_type if (before and after) or joined or digits_after else None
    if span.type == PHONE_NUMBER:
        # a town follows a postcode; an extension or more digits follow a phone number
        town_after = after and not is_number_word(next_word) and next_word not in _NUMBER_SAYING
        return run_type if before and town_after else None
    numbered = any(is_number_word(w) for w in words[start : span.word_start])
    beside = words[start : span.word_end + after]
    street_named = any(is_street_word(w, lexicon) for w in beside)
    # at the run's start right before the house number, with no kind of street said after the
    # number: the street's own name said first ("kasprowicza twenty ... dzierzoniow poland");
    # with one after it, a name said before the address (``_names_before_house_numbers``)
    number_end = _house_number_end(words, span.word_end)
    street_first = (
        not before
        and after
        and _said_in_numbers(next_word)
        and _street_kind_after_number(words, span.word_end, lexicon) is None
        # "... sorokin one nine eight four at salu dot com": a local part, not a house number
        and number_end < len(words)
        and words[number_end] not in EMAIL_JOINERS
    )
    return run_type if numbered or street_first or ((before or after) and street_named) else None


def _before_number(norm: NormalisedText, k: int) -> bool:
    return k + 1 < len(norm.words) and norm.words[k + 1].core in _NUMBER_SAYING


def combine(
    norm: NormalisedText,
    rules: list[PiiSpan],
    tagged: Tagged,
    lexicon: Lexicon,
    extend_threshold: float | None = None,
) -> list[PiiSpan]:
    """Rule spans of ``RULE_TYPES_KEPT`` and the tagger's words, joined word by word.

    Recall first: a word either source claims is hidden, and a word next to a name joins it
    when the tagger gives it at least ``extend_threshold`` (lower than its own threshold: the
    rest of a name is where a name was found, "barbara m probst"), as do a house number and a
    town beside an address (``_extend_addresses``). Where both claim a word the rule's type
    wins (a checksum says more than the tagger's guess of the type), except where a rule that
    guesses from one cue sits inside an address or e-mail the tagger reads through it
    (``_tagger_run_through``); an e-mail ends where the rule found its public suffix.
    Neighbouring words of one type make one span."""
    n = len(norm.words)
    claim: Claims = [
        (typ, prob) if typ is not None and _may_claim_here(typ, norm, k, lexicon) else None
        for k, (typ, prob) in enumerate(tagged)
    ]
    from_rules: set[int] = set()
    for s in rules:
        if s.type not in RULE_TYPES_KEPT:
            continue
        run_type = _tagger_run_through(s, tagged, norm, lexicon)
        for w in range(s.word_start, s.word_end):
            from_rules.add(w)
            tagger_claim = claim[w]
            if run_type is None or tagger_claim is None or tagger_claim[0] != run_type:
                claim[w] = (s.type, s.score)
        e = s.word_end
        while s.type == EMAIL_ADDRESS and e < n and claim[e] is not None:
            if claim[e][0] != EMAIL_ADDRESS:  # type: ignore[index]
                break
            claim[e] = None
            e += 1
    if extend_threshold is not None:
        _extend_names(norm, claim, tagged, lexicon, extend_threshold)
        _extend_addresses(norm, claim, tagged, lexicon, extend_threshold)
    _fill_between_names(norm, claim, tagged, lexicon)
    _articles_after_names(norm, claim, tagged, lexicon, from_rules)
    _names_before_house_numbers(norm, claim, lexicon)
    _numbers_before_at(norm, claim)
    # a title belongs to the name right after it ("doctor burke"), also where the tagger read
    # it as an address's start ("ship to doctor tule akcay twenty five ...")
    for w in range(1, n):
        named = claim[w] is not None and claim[w][0] == PERSON  # type: ignore[index]
        before = claim[w - 1]
        if (
            named
            and (before is None or before[0] == STREET_ADDRESS)
            and norm.words[w - 1].core in TITLES
        ):
            claim[w - 1] = claim[w]
    # an utterance with an address word that is no number word ("street", a city): its number
    # runs are house numbers and postcodes, whatever joins them; a word the tagger read as the
    # address's that a rule or a merge step took for a name counts too ("maria a kovaca twelve")
    street_named = any(
        c is not None
        and (c[0] == STREET_ADDRESS or (c[0] == PERSON and tagged[k][0] == STREET_ADDRESS))
        and norm.words[k].core not in _NUMBER_SAYING
        for k, c in enumerate(claim)
    )
    out: list[PiiSpan] = []
    w = 0
    while w < n:
        if claim[w] is None:
            w += 1
            continue
        typ, score = claim[w]  # type: ignore[misc]
        e = w + 1
        while e < n and claim[e] is not None and claim[e][0] == typ:  # type: ignore[index]
            score = max(score, claim[e][1])  # type: ignore[index]
            e += 1
        words = norm.words
        # an address the tagger alone found in number words only, with no street or place
        # word anywhere, is a time or a count ("a table for four at eight forty five")
        tagger_address = typ == STREET_ADDRESS and all(k not in from_rules for k in range(w, e))
        bare_numbers = (
            tagger_address
            and not street_named
            and all(words[k].core in _NUMBER_SAYING for k in range(w, e))
        )
        # nor is a request's own word left alone at an address run's edge ("... zorlu on plus
        # nine", "... card two one three") when the name beside it was given back
        request_words = tagger_address and all(
            (words[k].core in lexicon.stop_words or words[k].core in DOMAIN_WORDS)
            and not is_number_word(words[k].core)
            and len(words[k].core) > 1  # an initial ("jasminka m brcko ...") stays hidden
            for k in range(w, e)
        )
        if not (bare_numbers or request_words):
            out.append(PiiSpan(words[w].core_start, words[e - 1].core_end, typ, score, w, e))
        w = e
    return out


def _claimed_as(claim: Claims, k: int, typ: str) -> bool:
    """Word k exists and is claimed as ``typ`` so far."""
    found = claim[k] if 0 <= k < len(claim) else None
    return found is not None and found[0] == typ


def _extend_names(
    norm: NormalisedText,
    claim: Claims,
    tagged: Tagged,
    lexicon: Lexicon,
    threshold: float,
) -> None:
    """Grow every PERSON run outwards over words the tagger gives at least ``threshold``
    (in place). Number words never join a name: they are a phone number's or a time's; nor
    do function words."""
    n = len(claim)

    def person(k: int) -> bool:
        return _claimed_as(claim, k, PERSON)

    grown = True
    while grown:
        grown = False
        for w in range(n):
            prob = tagged[w][1]
            if claim[w] is not None or prob < threshold or not (person(w - 1) or person(w + 1)):
                continue
            core = norm.words[w].core
            # "tell john a joke": a function word ("a", "i") is no middle initial here; nor is
            # an adjective or verb no name list has after a name ("tell ngozi happy birthday";
            # before one it may be a title, "chief olufunke"; an initial is one too: WordNet
            # lists "m" and "d" as Roman numerals)
            if core in _NUMBER_SAYING or core in lexicon.stop_words:
                continue
            after_name = person(w - 1) and not person(w + 1)
            ordinary = lexicon.is_non_noun_word(core) and not lexicon.in_name_lists(core)
            if after_name and ordinary and len(core) > 1:
                continue
            if not _may_claim_here(PERSON, norm, w, lexicon):
                continue
            claim[w] = (PERSON, prob)
            grown = True


def _fill_between_names(
    norm: NormalisedText, claim: Claims, tagged: Tagged, lexicon: Lexicon
) -> None:
    """A word between two words of a name is the name's too, whatever the tagger gives it (in
    place): a middle initial ("robertas a nauseda") or a middle name that is a noun or no
    English word ("bac tung bui"); not a function word, a verb or an adjective ("ask mary and
    john", "let mary know bob ..."), nor a number."""
    n = len(claim)

    def person(k: int) -> bool:
        return _claimed_as(claim, k, PERSON)

    for w in range(1, n - 1):
        core = norm.words[w].core
        if claim[w] is not None or not (person(w - 1) and person(w + 1)):
            continue
        if _said_in_numbers(core) or (len(core) > 1 and lexicon.is_non_noun_word(core)):
            continue
        if _may_claim_here(PERSON, norm, w, lexicon):
            claim[w] = (PERSON, tagged[w][1])


def _articles_after_names(
    norm: NormalisedText, claim: Claims, tagged: Tagged, lexicon: Lexicon, from_rules: set[int]
) -> None:
    """ "tell mary a story": an "a" after a name that the tagger only half believes is a middle
    initial is the article of what the request asks for, and the English word after it is
    that thing, not the rest of the name (in place). The tagger gives a middle initial
    ("call maria a brown ...", "send maria a brown the file") 0.5 to 0.95, the article ("tell
    john a joke") 0.3 to 0.4."""
    words = [w.core for w in norm.words]
    for k in range(1, len(words)):
        if words[k] != "a" or k in from_rules or tagged[k][1] >= _STRONG_INITIAL:
            continue
        if not (_claimed_as(claim, k, PERSON) and _claimed_as(claim, k - 1, PERSON)):
            continue
        j = k + 1
        if j < len(words) and not (
            j not in from_rules
            and tagged[j][1] < _STRONG_INITIAL
            and lexicon.is_english(words[j])
            and not lexicon.name_dominant(words[j])
        ):
            continue  # "rita a quintero": a name after it makes it an initial
        claim[k] = None
        if j < len(words) and _claimed_as(claim, j, PERSON):
            claim[j] = None


def _numbers_before_at(norm: NormalisedText, claim: Claims) -> None:
    """An e-mail found from its "at" on has lost its local part: the number words said right
    before the "at" are that part ("... sorokin one nine eight four at salu dot com"), not a
    house number or a count, which the tagger may read them as (in place)."""
    words = [w.core for w in norm.words]
    for k in range(1, len(words)):
        found = claim[k]
        if found is None or found[0] != EMAIL_ADDRESS or words[k] != "at":
            continue
        if claim[k - 1] is not None and claim[k - 1][0] == EMAIL_ADDRESS:  # type: ignore[index]
            continue
        j = k - 1
        while j >= 0 and _said_in_numbers(words[j]):
            if claim[j] is not None and claim[j][0] != STREET_ADDRESS:  # type: ignore[index]
                break  # a rule's phone or card number stays what the rule found
            claim[j] = found
            j -= 1


def _extend_addresses(
    norm: NormalisedText,
    claim: Claims,
    tagged: Tagged,
    lexicon: Lexicon,
    threshold: float,
) -> None:
    """Grow every STREET_ADDRESS run rightwards over the number words after it that the
    tagger gives at least ``threshold`` (in place): where the house number follows the street
    ("sapilastie one", "conradiallee thirty"), the number is the rest of an address found,
    and so is the word for "number" said before it ("số thirty five ...").
    A word between two parts of one address that the tagger reads as address joins them,
    even a request's own word ("bulevardul florea number thirty two"); so does a noun after
    it, a town ("... oak street springfield"; not "please" or "tomorrow"), and a house number
    before it ("eight hauptstrasse")."""

    def address(k: int) -> bool:
        return _claimed_as(claim, k, STREET_ADDRESS)

    for w in range(1, len(claim)):
        if claim[w] is not None or not address(w - 1) or tagged[w][1] < threshold:
            continue
        core = norm.words[w].core
        if (
            core in _NUMBER_SAYING
            or (tagged[w][0] == STREET_ADDRESS and address(w + 1))
            or not lexicon.is_non_noun_word(core)
        ):
            claim[w] = (STREET_ADDRESS, tagged[w][1])
    for w in range(len(claim) - 2, -1, -1):
        before_address = claim[w] is None and address(w + 1) and tagged[w][1] >= threshold
        if before_address and is_number_word(norm.words[w].core):
            claim[w] = (STREET_ADDRESS, tagged[w][1])
    # "số thirty five ...", "nr seven ...": the word for "number" said before the house number
    for w in range(len(claim) - 1):
        marker = fold(norm.words[w].core) in _HOUSE_NUMBER_MARKERS
        house_number_next = address(w + 1) and _said_in_numbers(norm.words[w + 1].core)
        if marker and house_number_next and claim[w] is None:
            claim[w] = claim[w + 1]


def _said_in_numbers(word: str) -> bool:
    return word in _NUMBER_SAYING or is_number_word(word)


_HOUSE_NUMBER_JOINERS = frozenset(["slash", "stroke", "bis"])
# Words said before a house number meaning "number" (Vietnamese "số", Romanian "nr"; "no" and
# "number" are UNIT_WORDS).
_HOUSE_NUMBER_MARKERS = frozenset(["nr", "nro", "num", "numero", "so"])


def _house_number_end(words: list[str], house: int) -> int:
    """End of the house number starting at ``house`` ("twenty two slash eight seventy nine")."""
    end = house
    while end < len(words) and (
        _said_in_numbers(words[end])
        or (words[end] in _HOUSE_NUMBER_JOINERS and end + 1 < len(words))
    ):
        end += 1
    return end


def _street_kind_after_number(words: list[str], house: int, lexicon: Lexicon) -> str | None:
    """What names the kind of street in the few words after the house number starting at
    ``house``: "suffix" where it follows the street's name, the English way ("two twenty five
    vaht well"), "first" where it comes right after the number, before the street's name
    ("twelve rue de la paix", "eighty three duong ba trieu"), "word" for any other street word
    ("eight hauptstrasse"), None for none before a unit or another number ("... flat forty
    six")."""
    after = _house_number_end(words, house)
    kind = None
    for k in range(after, min(len(words), after + 4)):
        if words[k] in UNIT_WORDS or _said_in_numbers(words[k]):
            break
        if k > after and words[k] in US_STREET_SUFFIXES:
            return "suffix"  # "twelve park lane" too
        if k == after and _names_a_street_first(words[k]):
            return "first"
        if is_street_word(fold(words[k]), lexicon) or words[k] in US_STREET_SUFFIXES:
            kind = "word"
    return kind


def _names_a_street_first(word: str) -> bool:
    """A word naming a kind of street that is no English-order suffix ("rue", "duong"), nor an
    abbreviation that may be a saint's ("st")."""
    return len(word) > 2 and fold(word) in STREET_WORDS and word not in US_STREET_SUFFIXES


def _names_before_house_numbers(norm: NormalisedText, claim: Claims, lexicon: Lexicon) -> None:
    """An address whose street is named after its house number, with a street word after the
    name (the English way: "two twenty five vaht well") or right after the number ("eighty three
    duong ba trieu"), starts at that number, so the words of its run before the number are the
    name said just before it ("ship to maksim tarassov two twenty five vaht well ..."), which
    the tagger reads as the address's start (in place). Where the street word comes before the
    number ("rokov perivoj seven a"), the words before the number are the street's, unless the
    run starts with a first name, an initial and a surname ("durdica h orsulic jurkoviceva four
    a ...": a lone letter names no street before its number), or with the initial and surname
    of a name found just before it ("jasminka m brcko mletacka one ...")."""
    words = [w.core for w in norm.words]
    n = len(words)

    def address(k: int) -> bool:
        return _claimed_as(claim, k, STREET_ADDRESS)

    def name_like(k: int) -> bool:
        return (
            not is_street_word(fold(words[k]), lexicon)
            and words[k] not in UNIT_WORDS
            and fold(words[k]) not in _HOUSE_NUMBER_MARKERS
            and _may_claim_here(PERSON, norm, k, lexicon)
            # a name list's name, a word no English list has, an initial; not "address"
            and (
                lexicon.in_name_lists(words[k])
                or lexicon.unknown_word(words[k])
                or len(words[k]) == 1
            )
        )

    start = 0
    while start < n:
        if not address(start):
            start += 1
            continue
        end = start
        while address(end):
            end += 1
        house = next((k for k in range(start, end) if _said_in_numbers(words[k])), None)
        if house is not None and house > start:
            kind = _street_kind_after_number(words[:end], house, lexicon)
            if kind in ("suffix", "first") and all(name_like(k) for k in range(start, house)):
                named = range(start, house)
            elif (  # "durdica h orsulic jurkoviceva four a ...": first, initial, surname
                house - start >= 4
                and len(words[start + 1]) == 1
                and words[start + 1] not in LETTER_WORDS
                and all(name_like(k) for k in range(start, start + 3))
            ):
                named = range(start, start + 3)
            elif (  # "jasminka m brcko mletacka one ...": the initial and surname of a name
                house - start >= 3
                and start > 0
                and _claimed_as(claim, start - 1, PERSON)
                and len(words[start]) == 1
                and words[start] not in LETTER_WORDS
                and all(name_like(k) for k in range(start, start + 2))
            ):
                named = range(start, start + 2)
            else:
                named = range(0)
            for k in named:
                claim[k] = (PERSON, claim[k][1])  # type: ignore[index]
        start = end

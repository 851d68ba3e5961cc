"""Person names in lower-case speech: cue words, a name gazetteer and spaCy PERSON spans.

Each word gets a score from its context (``_context_score``), spaCy's entities raise or cancel
it, then names grow by a surname after or a given name before, and runs of scored words become
spans. The learned tagger reads these spans as one of its features.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.privacy.pii.entities import PERSON
from voxguard.privacy.pii.lexicon import (
    BRANDS,
    COMM_VERBS,
    DETERMINERS,
    DOMAIN_WORDS,
    LETTER_WORDS,
    MONTHS,
    NAME_INTRO_PHRASES,
    PLACES,
    RELATIONS,
    STRONG_NAME_CUES,
    TITLES,
    WAKE_WORDS,
    WEAK_NAME_CUES,
    Lexicon,
    wordset,
)
from voxguard.privacy.pii.places import in_a_place_frame

from . import scores
from .base import SpokenRecognizer, Tok, phrase_before, result

# Letters of any alphabet: "dũng" and "zoë" are names as much as "dung" would be.
_NAME_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|-)*")
_PLACE_PREPS = wordset("in near at around to from visit")
_DIAL_CUES = wordset("call text email message ring dial phone")
_PERSONAL_NOUNS = wordset(
    """birthday bday email emails number phone address wife husband mom dad party wedding funeral
    house place car contact cell mobile podcast"""
)
_AUX_BEFORE_SUBJECT = wordset(
    "did does do has have had is was when where can could would should will"
)
_BE = wordset("was is were")
# "when was the baby born", "my son was born": no name; "remember that rick was born": one
_ARTICLES_AND_POSSESSIVES = DETERMINERS - wordset("this that these those")
_PERSON_VERBS = wordset(
    """live lives living post posted born call called text texted email emailed send sent say
    said want wants get got reply replied come coming arrive arrived work works been win won
    reply respond responded message messaged write wrote visit visited marry married die died"""
)
# spaCy labels (engine.NER_LABELS) that cancel a weak name. Facilities only: cancelling names
# spaCy calls GPE, LOC, ORG or NORP (it calls many lower-case names places) cost five points of
# PERSON recall on bench/pii_data.py, and a missed name is a breach.
_PLACE_LABELS = frozenset({"FAC"})
MAX_NAME_WORDS = 4
# Phrases that ask about or share with someone: a name list's word after them is a name, even
# an English word ("share my location with park", "how old is rivera").
_ABOUT_SOMEONE: tuple[tuple[str, ...], ...] = (
    ("location", "with"),
    ("share", "with"),
    ("how", "old", "is"),
    ("birthday", "of"),
)
# "add eve with the number ...", "save bo with her email": whoever a contact's number or
# address is saved for, a name list's word included.
_SAVED_WITH = wordset("add save store")
_CONTACT_DETAILS = wordset("number phone mobile cell email e-mail address")
# Where the speaker says their name outright, the next word is one, even an English word.
_NAME_STATED: tuple[tuple[str, ...], ...] = (
    ("my", "name", "is"),
    ("my", "name's"),
    ("name", "is"),
    *((kind, "name") for kind in ("full", "first", "last", "billing", "cardholder", "customer")),
    ("name", "on", "the", "card"),
)


def _bare(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _person_verb_after(bare: list[str], k: int) -> bool:
    """A person-like verb right after the name, or after a one-word surname."""
    return (k < len(bare) and bare[k] in _PERSON_VERBS) or (
        k + 1 < len(bare) and bare[k + 1] in _PERSON_VERBS and bare[k].isalpha()
    )


def _born_after(bare: list[str], k: int) -> bool:
    """Word k is who was born: "was link born", "rick was born". Only people are, so the word
    is a name even when it is an ordinary English word."""
    after = bare[k + 1 : k + 3]
    return after[:1] == ["born"] or (len(after) == 2 and after[0] in _BE and after[1] == "born")


class SpokenPersonRecognizer(SpokenRecognizer):
    """Person names in lower-case speech (see the module doc)."""

    ENTITIES = (PERSON,)

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__(lexicon)
        self.places = PLACES

    def _nameish(self, w: str) -> bool:
        return (
            len(w) > 1
            and bool(_NAME_WORD_RE.fullmatch(w))
            and w not in self.lexicon.stop_words
            and not any(w in words for words in (WAKE_WORDS, RELATIONS, TITLES, MONTHS, BRANDS))
        )

    def _context_score(self, words: list[str], bare: list[str], k: int, comm: bool) -> float:
        """Score of word k from the words around it (0.0: not a name)."""
        lex = self.lexicon
        w = bare[k]
        prev = words[k - 1] if k > 0 else ""
        nxt = bare[k + 1] if k + 1 < len(bare) else ""
        known = w in lex.first_names or lex.unknown_word(w) or lex.rare_surname(w)
        solid = lex.name_dominant(w) or lex.unknown_word(w) or lex.rare_surname(w)
        score = 0.0
        # "email from chester" is a person, "directions to chester" a place
        if (
            lex.name_dominant(w)
            and w not in self.places
            and not (prev in _PLACE_PREPS and not comm)
        ):
            score = scores.NAME_ONLY_WORD
        # "my phone bill", "the text message": after a determiner the cue is a noun, no verb
        cue_is_noun = k > 1 and words[k - 2] in DETERMINERS
        strong_cue = (
            (prev in STRONG_NAME_CUES and not cue_is_noun)
            or prev in TITLES
            or phrase_before(words, k, NAME_INTRO_PHRASES)
        )
        if strong_cue and (
            known or (prev in _DIAL_CUES and w in lex.surnames and w not in DOMAIN_WORDS)
        ):
            return scores.NAME_AFTER_STRONG_CUE
        if prev == "let" and nxt == "know" and known:
            return scores.NAME_AFTER_STRONG_CUE  # "let chị know the meeting moved"
        if phrase_before(words, k, _ABOUT_SOMEONE) and lex.in_name_lists(w):
            return scores.NAME_AFTER_STRONG_CUE  # "share my location with fisher"
        saved_for = (
            prev in _SAVED_WITH
            and nxt == "with"
            and any(t in _CONTACT_DETAILS for t in bare[k + 2 : k + 5])
        )
        if saved_for and (lex.in_name_lists(w) or lex.unknown_word(w)):
            return scores.NAME_AFTER_STRONG_CUE  # "add eve with the number ..."
        if phrase_before(words, k, _NAME_STATED):
            return scores.NAME_AFTER_STRONG_CUE  # "my name is tea a panduric": whatever the word
        if prev in WEAK_NAME_CUES and comm and (lex.unknown_word(w) or w in lex.first_names):
            return max(score, scores.NAME_AFTER_WEAK_CUE)
        if (
            prev in _AUX_BEFORE_SUBJECT
            and (w in lex.first_names or solid)
            and _person_verb_after(bare, k + 1)
        ):
            return max(score, scores.NAME_BEFORE_PERSON_VERB)  # "did mark post"
        if prev not in _ARTICLES_AND_POSSESSIVES and _born_after(bare, k):
            return max(score, scores.NAME_BEFORE_PERSON_VERB)  # "what year was link born"
        possessive = words[k].endswith("'s") and (solid or w in lex.first_names)
        if (possessive or (nxt in _PERSONAL_NOUNS and solid)) and prev not in DETERMINERS:
            return max(score, scores.NAME_POSSESSIVE)  # "bob's birthday", "tanner birthday"
        return score

    def _apply_spacy(
        self,
        toks: list[Tok],
        bare: list[str],
        ok: list[bool],
        score: list[float],
        arts: NlpArtifacts,
    ) -> None:
        """spaCy PERSON raises words that are not ordinary English words (lower-case speech
        makes spaCy tag "song" or "miles" too); its places cancel weaker names ("milan")."""
        lex = self.lexicon
        for ent in arts.entities:
            covered = [
                i for i, t in enumerate(toks) if t.start < ent.end_char and t.end > ent.start_char
            ]
            if ent.label_ == PERSON:
                for i in covered:
                    w = bare[i]
                    if ok[i] and (
                        lex.unknown_word(w) or lex.name_dominant(w) or lex.rare_surname(w)
                    ):
                        score[i] = max(score[i], scores.NAME_FROM_SPACY)
            elif ent.label_ in _PLACE_LABELS:
                for i in covered:
                    if score[i] < scores.NAME_KEPT_OVER_PLACE:
                        score[i] = 0.0

    def _extend(
        self, words: list[str], bare: list[str], ok: list[bool], score: list[float]
    ) -> None:
        """A surname or unknown word after a name ("tom hanks", "aamir khan"); an ambiguous given
        name before an accepted surname ("will smith")."""
        lex = self.lexicon
        share = scores.NAME_EXTENSION_SHARE
        for k in range(len(words) - 1):
            if score[k] > 0 and score[k + 1] == 0 and ok[k + 1] and not words[k].endswith("'s"):
                nxt = bare[k + 1]
                if (nxt in lex.surnames and not lex.is_non_noun_word(nxt)) or lex.unknown_word(nxt):
                    score[k + 1] = score[k] * share
            elif (
                score[k] > 0
                and k + 2 < len(words)
                and not words[k].endswith("'s")
                and self._initial_then_surname(bare, ok, k)
            ):
                score[k + 1] = score[k + 2] = score[k] * share
        for k in range(len(words) - 1):
            if (
                score[k] == 0
                and score[k + 1] > 0
                and ok[k]
                and bare[k] in lex.first_names
                and (bare[k + 1] in lex.surnames and not words[k].endswith("'s"))
                and (k == 0 or words[k - 1] not in ("the", "a", "an"))
            ):
                score[k] = score[k + 1] * share

    def _initial_then_surname(self, bare: list[str], ok: list[bool], k: int) -> bool:
        """After the name at k, a middle initial and a surname ("tea a pandurić"); where the
        letter is also an English word ("a", "i"), only a word no English list has is the
        surname ("tell mary a story" is no name)."""
        lex = self.lexicon
        letter, after = bare[k + 1], bare[k + 2]
        if len(letter) != 1 or not letter.isalpha() or not ok[k + 2]:
            return False
        if letter in LETTER_WORDS:
            return lex.unknown_word(after)
        return lex.unknown_word(after) or (
            after in lex.surnames and not lex.is_non_noun_word(after)
        )

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        words = [t.text for t in toks]
        bare = [_bare(w) for w in words]
        comm = any(w in COMM_VERBS for w in bare)
        # "flights to san francisco", "the weather in florence": a place, whatever the word
        ok = [
            self._nameish(w) and not in_a_place_frame(words, k, self.lexicon)
            for k, w in enumerate(bare)
        ]
        score = [
            self._context_score(words, bare, k, comm) if ok[k] else 0.0 for k in range(len(words))
        ]
        if nlp_artifacts is not None and nlp_artifacts.entities:
            self._apply_spacy(toks, bare, ok, score, nlp_artifacts)
        self._extend(words, bare, ok, score)
        out: list[RecognizerResult] = []
        k, n = 0, len(words)
        while k < n:
            if score[k] <= 0:
                k += 1
                continue
            e = k + 1
            while (
                e < n
                and score[e] > 0
                and e - k < MAX_NAME_WORDS
                and not words[e - 1].endswith("'s")
            ):
                e += 1
            out.append(result(PERSON, toks, k, e, max(score[k:e])))
            k = e
        return out

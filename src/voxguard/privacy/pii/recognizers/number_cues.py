"""Cue words that say what a spoken number is ("card ...", "my social ...", "call ...")."""

from __future__ import annotations

from voxguard.privacy.pii.lexicon import wordset

from .base import Tok, is_digit_tok

CVV = "cvv"
CARD = "card"
SSN = "ssn"
ACCOUNT = "account"
PHONE = "phone"

_CARD_CUES = wordset(
    "card visa mastercard amex discover credit debit cc maestro pay paying payment"
)
# "put it on ...", "charge it on ...": what is put on is a card
_CARD_VERBS = wordset("put charge")
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
# Two-word cues: (previous word, word) -> cue
_PAIR_CUES = {
    ("security", "code"): CVV,
    ("american", "express"): CARD,
    ("social", "security"): SSN,
    ("sort", "code"): ACCOUNT,
}
_WORD_CUES = (
    (_CVV_CUES, CVV),
    (_CARD_CUES, CARD),
    (_SSN_CUES, SSN),
    (_ACCOUNT_CUES, ACCOUNT),
    (_PHONE_CUES, PHONE),
)
CUE_WINDOW = 7  # words looked back from a number for its cue


def _cue_at(toks: list[Tok], k: int) -> str | None:
    w = toks[k].text
    prev = toks[k - 1].text if k > 0 else ""
    if (prev, w) in _PAIR_CUES:
        return _PAIR_CUES[(prev, w)]
    if w == "n" and k > 1 and (toks[k - 2].text, prev) == ("s", "s"):
        return SSN  # "s s n"
    if (prev, w) == ("it", "on") and k > 1 and toks[k - 2].text in _CARD_VERBS:
        return CARD
    for words, cue in _WORD_CUES:
        if w in words:
            return cue
    return None


def card_cue_after(toks: list[Tok], j: int, window: int = 4) -> bool:
    """A card named within ``window`` words after a number that ends at token j ("add ... as
    a payment method", "... is my visa"), with no other number between."""
    for k in range(j, min(len(toks), j + window)):
        if is_digit_tok(toks[k].text):
            return False
        if toks[k].text in _CARD_CUES:
            return True
    return False


def nearest_cue(toks: list[Tok], i: int, window: int = CUE_WINDOW) -> tuple[str | None, int]:
    """Type of the closest cue word before token i, and its distance."""
    for back in range(1, window + 1):
        k = i - back
        if k < 0:
            break
        cue = _cue_at(toks, k)
        if cue is not None:
            return cue, back
        if is_digit_tok(toks[k].text):  # another number in between: the cue belongs to it
            break
    return None, 0

"""Named confidence scores of the rule recognizers.

A score ranks evidence: it decides which detection keeps a word that two of them claim (after the
type priority) and, for PERSON, feeds the tagger as a feature. Every detection is bleeped
whatever its score; none is dropped for being low.
"""

from __future__ import annotations

# A cue word names the value right before it ("card ...", "social security ...", "call ...").
CUED_VALUE = 0.95
# The value passes its checksum (IBAN mod 97).
CHECKSUM_VALID = 0.95
# An account-number cue before four or more digits.
ACCOUNT_CUED = 0.9
# "... at <domain> dot <public suffix>".
SPOKEN_EMAIL = 0.9
# A pattern and its context agree: Luhn-valid card digits, house number + street, "born" + date,
# a postcode after "postcode"/"zip".
PATTERN_IN_CONTEXT = 0.85
# Digits grouped 3-2-4 like an SSN; letters and digits after an account cue.
GROUPED_LIKE_ID = 0.8
# Seven to fifteen digits with no cue: most often a phone number; a CVV after its cue; a street
# with a residence cue but no house number.
PLAUSIBLE = 0.7
# A code with the right shape but no cue or checksum (UK postcode, 16-19 digits, last four of an
# SSN, an IBAN that fails its checksum after "iban").
SHAPE_ONLY = 0.6
# Five digits after "near"/"in"; a digit run longer than any card.
WEAK_SHAPE = 0.5

# Person names (the tagger reads these as features alongside its own).
NAME_AFTER_STRONG_CUE = 0.85  # "call claire", "doctor burke", "my name is ..."
NAME_FROM_SPACY = 0.75  # spaCy's PERSON on a word that is not an ordinary English word
NAME_ONLY_WORD = 0.7  # a given name that is not an English word ("claire", "raju")
NAME_AFTER_WEAK_CUE = 0.7  # "send it to enalen" in a request about communicating
NAME_POSSESSIVE = 0.7  # "bob's birthday", "tanner birthday"
NAME_BEFORE_PERSON_VERB = 0.65  # "did mark post", "does bob live"
# Each word that extends a name (a surname after it, a given name before it) keeps this share.
NAME_EXTENSION_SHARE = 0.95
# spaCy's place or organisation does not cancel a name scored at least this high.
NAME_KEPT_OVER_PLACE = 0.8

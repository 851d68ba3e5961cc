"""Where a request names a place, not a person: "find flights to kaarina", "the weather in
kevin ville", "how far is mikkeli from here". Both the person rule and the tagger's guards ask.
"""

from __future__ import annotations

from .lexicon import COMM_VERBS, Lexicon, wordset

_PLACE_CUES = wordset(
    """weather forecast temperature rain snow flights flight fly flying directions drive driving
    travel trip trips trains train bus buses hotels hotel restaurants traffic navigate distance
    miles kilometers time timezone restaurant bar pub cafe diner ticket tickets ride cab taxi
    uber lyft route"""
)
_FORECAST_CUES = wordset("weather forecast temperature")  # also "the forecast for hulmeville"
_PLACE_PREPOSITIONS = frozenset(["in", "to", "from", "near", "around"])
_PLACE_NAME_WORDS = 3  # a town's name is at most this many words ("losson della battaglia")


def in_a_place_frame(words: list[str], k: int, lexicon: Lexicon) -> bool:
    """Word k is in a place's name right after a place cue and its preposition ("weather in",
    "flights to") or after "how far is", its name being the words since (no function words);
    not where the request sends something to someone or from someone, nor a possessive ("how
    far is john's house")."""
    if words[k].endswith("'s"):
        return False
    start = k
    while (
        start > 0
        and k - start < _PLACE_NAME_WORDS - 1
        and words[start - 1] not in lexicon.stop_words
    ):
        start -= 1
    before = words[max(0, start - 3) : start]
    cued = len(before) >= 2 and (
        (before[-1] in _PLACE_PREPOSITIONS and before[-2] in _PLACE_CUES)
        or (before[-1] == "for" and before[-2] in _FORECAST_CUES)
    )
    # "send the forecast to anna", "forward the flight from bob": who it goes to or comes from
    sent = before[-1:] in (["to"], ["from"]) and any(w in COMM_VERBS for w in words)
    return (cued and not sent) or before == ["how", "far", "is"]

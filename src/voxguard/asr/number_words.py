"""The one table of English number words.

``asr.normalize`` writes numbers as these words; ``privacy.pii`` reads them back (spoken digits,
house numbers, ordinals in dates) and the PII benchmark speaks its test values with them.
"""

from __future__ import annotations

ONES_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# (value, word), largest first
SCALE_WORDS = (
    (10**18, "quintillion"),
    (10**15, "quadrillion"),
    (10**12, "trillion"),
    (10**9, "billion"),
    (10**6, "million"),
    (10**3, "thousand"),
    (10**2, "hundred"),
)
# Ordinals whose spelling is not "<cardinal>th"
ORDINAL_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
# Words that say one digit when a number is read digit by digit: "oh" and "o" only count as zero
# inside a run of digits (the reader decides), "nought"/"naught" are British.
DIGIT_WORDS: dict[str, str] = {
    **{word: str(value) for value, word in enumerate(ONES_WORDS[:10])},
    "oh": "0",
    "o": "0",
    "nought": "0",
    "naught": "0",
}
ZERO_IN_CONTEXT = frozenset({"oh", "o"})
# "double five" is 55, "triple oh" is 000
REPEATER_WORDS = {"double": 2, "triple": 3}


def _ordinal(cardinal: str) -> str:
    if cardinal in ORDINAL_IRREGULAR:
        return ORDINAL_IRREGULAR[cardinal]
    return cardinal[:-1] + "ieth" if cardinal.endswith("y") else cardinal + "th"


# "first" -> 1 ... "nineteenth" -> 19, "twentieth" -> 20 ... "ninetieth" -> 90
ORDINAL_WORDS: dict[str, int] = {
    **{_ordinal(word): value for value, word in enumerate(ONES_WORDS) if value},
    **{_ordinal(word): 10 * value for value, word in enumerate(TENS_WORDS) if word},
}
# Every word that is part of a spelled cardinal ("two hundred and five" needs "and" from context)
CARDINAL_WORDS = frozenset(
    [*ONES_WORDS, *(w for w in TENS_WORDS if w), *(word for _, word in SCALE_WORDS)]
)

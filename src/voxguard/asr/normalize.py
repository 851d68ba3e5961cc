"""Spoken-form text normalisation shared by every engine and by alignment.

Voice-assistant transcripts are lower-case, unpunctuated and have numbers spelled out the way they
are said ("call five five five one two one two"). Whisper writes written form ("Call 555-1212."),
pocketsphinx writes dictionary words ("the(2)"). Both go through `spoken_words` token by token so
that every output word keeps a time span: a token that becomes several spoken words has its time
split evenly among them (`split_span`).

Number reading rules (heuristics, chosen for assistant speech):
- digit groups joined by "-", "." or spaces ("555-1212", "4111 1111") and digit strings of five or
  more digits or with a leading zero are read digit by digit ("zero" for 0);
- "3.5" is "three point five"; "7:30" is "seven thirty", "7:05" is "seven oh five"; "7.30", "7 30"
  and "730" are times too after a time cue or before a time word ("at 615" -> "six fifteen",
  "for 7.30 tomorrow" -> "seven thirty"), never before a unit ("730 dollars");
- four-digit numbers from 1100 to 2099 without a thousands comma are read as years
  ("1455" -> "fourteen fifty five", "2005" -> "two thousand five", "1900" -> "nineteen hundred");
- other integers are cardinals ("1,000,000" -> "one million"); "15th" -> "fifteenth";
  "1990s" -> "nineteen nineties"; "$5" -> "five dollars"; "50%" -> "fifty percent";
- e-mail-like tokens are spoken: "a.b@x.com" -> "a dot b at x dot com".
"""

import re

from voxguard.asr.number_words import ONES_WORDS, ORDINAL_IRREGULAR, SCALE_WORDS, TENS_WORDS

_SCALES = [(value, word) for value, word in SCALE_WORDS if value >= 1000]

# Abbreviations whose spoken form differs from their letters (checked after lower-casing).
_ABBREVIATIONS = {
    "mr.": ["mister"],
    "mrs.": ["missus"],
    "ms.": ["miz"],
    "dr.": ["doctor"],
    "a.m.": ["a", "m"],
    "p.m.": ["p", "m"],
    "&": ["and"],
    "+": ["plus"],
    "@": ["at"],
    "%": ["percent"],
    "vs.": ["versus"],
    "etc.": ["etcetera"],
}
_CURRENCIES = {"$": ("dollar", "dollars"), "£": ("pound", "pounds"), "€": ("euro", "euros")}

_DIGIT_GROUPS = re.compile(r"\d+(?:[-. ]\d+)+")
_ORDINAL = re.compile(r"(\d[\d,]*)(st|nd|rd|th)")
_PLURAL_NUM = re.compile(r"(\d+)'?s")
_DECIMAL = re.compile(r"(\d[\d,]*)\.(\d+)")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_CARDINAL = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:[\w-]+\.)+(?:com|org|net|edu|gov|io)")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?¿¡…—–-*/\\|~`^_=#"
# Words before a time of day ("at 615", "for 7.30"), after one ("730 tomorrow"), and units that
# make the number a quantity instead ("for 730 dollars").
_TIME_CUES = frozenset(
    [
        "at",
        "for",
        "until",
        "till",
        "by",
        "around",
        "before",
        "after",
        "from",
        "since",
        "about",
        "past",
    ]
)
_CLOCK_SUFFIXES = frozenset(["am", "pm", "a.m", "p.m", "a", "m", "p", "oclock", "o'clock"])
_TIME_WORDS = _CLOCK_SUFFIXES | frozenset(
    ["tomorrow", "tonight", "today", "morning", "evening", "afternoon", "night", "tomorrow's"]
)
_QUANTITY_UNITS = frozenset(
    [
        "dollars",
        "dollar",
        "pounds",
        "pound",
        "euros",
        "euro",
        "cents",
        "percent",
        "degrees",
        "minutes",
        "minute",
        "seconds",
        "second",
        "hours",
        "hour",
        "days",
        "weeks",
        "months",
        "years",
        "people",
        "persons",
        "guests",
        "grams",
        "kilos",
        "kilograms",
        "kg",
        "miles",
        "meters",
        "metres",
        "kilometers",
        "calories",
        "pages",
        "times",
        "steps",
        "items",
        "points",
        "feet",
        "inches",
        "litres",
        "liters",
        "ml",
    ]
)
_NON_WORD = re.compile(r"[^\w']+")
_SPHINX_ALT = re.compile(r"\(\d+\)$")


def number_to_words(n: int) -> list[str]:
    """Cardinal reading of a non-negative integer, American style without "and"."""
    if n < 0:
        return ["minus", *number_to_words(-n)]
    if n < 20:
        return [ONES_WORDS[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [TENS_WORDS[tens]] + ([ONES_WORDS[ones]] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [ONES_WORDS[hundreds], "hundred"] + (number_to_words(rest) if rest else [])
    for value, name in _SCALES:
        if n >= value:
            head, rest = divmod(n, value)
            return [*number_to_words(head), name] + (number_to_words(rest) if rest else [])
    raise AssertionError("unreachable")  # pragma: no cover


def digits_to_words(digits: str) -> list[str]:
    """Digit-by-digit reading ("5551212" -> five five five one two one two)."""
    return [ONES_WORDS[int(ch)] for ch in digits if ch.isdigit()]


def year_to_words(n: int) -> list[str]:
    """Year reading for 1100-2099: 1455 -> fourteen fifty five, 2005 -> two thousand five."""
    if 2000 <= n <= 2009:
        return number_to_words(n)
    head, tail = divmod(n, 100)
    if tail == 0:
        return [*number_to_words(head), "hundred"]
    if tail < 10:
        return [*number_to_words(head), "oh", ONES_WORDS[tail]]
    return number_to_words(head) + number_to_words(tail)


def ordinal_words(words: list[str]) -> list[str]:
    """Turn the last word of a cardinal reading into its ordinal form."""
    last = words[-1]
    if last in ORDINAL_IRREGULAR:
        new = ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        new = last[:-1] + "ieth"
    else:
        new = last + "th"
    return [*words[:-1], new]


def _plural_words(words: list[str]) -> list[str]:
    last = words[-1]
    new = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith("x") else "s")
    return [*words[:-1], new]


def integer_to_words(text: str) -> list[str]:
    """Spoken form of an integer string as an assistant user would say it (see module doc)."""
    if "," in text:
        return number_to_words(int(text.replace(",", "")))
    if (len(text) > 1 and text.startswith("0")) or len(text) >= 5:
        return digits_to_words(text)
    n = int(text)
    if len(text) == 4 and 1100 <= n <= 2099:
        return year_to_words(n)
    return number_to_words(n)


def _numeric_to_words(core: str) -> list[str] | None:
    """Spoken form of a token that is a number in some written form, or None if it is not."""
    if _DIGIT_GROUPS.fullmatch(core) and not _DECIMAL.fullmatch(core):
        return digits_to_words(core)
    if m := _TIME.fullmatch(core):
        return clock_words(int(m.group(1)), int(m.group(2)))
    if m := _DECIMAL.fullmatch(core):
        return [*integer_to_words(m.group(1)), "point", *digits_to_words(m.group(2))]
    if m := _ORDINAL.fullmatch(core):
        return ordinal_words(number_to_words(int(m.group(1).replace(",", ""))))
    if m := _PLURAL_NUM.fullmatch(core):
        return _plural_words(integer_to_words(m.group(1)))
    if _CARDINAL.fullmatch(core):
        return integer_to_words(core)
    return None


def _money_to_words(symbol: str, amount: str) -> list[str] | None:
    singular, plural = _CURRENCIES[symbol]
    m = _DECIMAL.fullmatch(amount)
    whole = m.group(1) if m else amount
    if not _CARDINAL.fullmatch(whole):
        return None
    n = int(whole.replace(",", ""))
    words = [*number_to_words(n), singular if n == 1 else plural]
    if m:
        cents = int((m.group(2) + "0")[:2])
        if cents:
            words += [*number_to_words(cents), "cent" if cents == 1 else "cents"]
    return words


def _plain_words(text: str) -> list[str]:
    """Lower-case letters/digits split on anything that is not part of a word."""
    out: list[str] = []
    for piece in _NON_WORD.split(text.replace("_", " ")):
        piece = piece.strip("'")
        if not piece:
            continue
        if any(ch.isdigit() for ch in piece):
            # Letters glued to digits ("4g", "mp3"): read the digits one by one.
            for part in re.findall(r"\d+|[^\W\d]+'?[^\W\d]*", piece):
                out += digits_to_words(part) if part[0].isdigit() else [part]
        else:
            out.append(piece)
    return out


def spoken_words(token: str) -> list[str]:
    """Spoken-form words of one written token (may be several words, or none for punctuation)."""
    token = _SPHINX_ALT.sub("", token.strip()).replace("’", "'").replace("‘", "'")
    lowered = token.lower()
    if lowered in _ABBREVIATIONS:
        return list(_ABBREVIATIONS[lowered])
    core = lowered.strip(_EDGE_PUNCT)
    if not core:
        return [w for ch in lowered for w in _ABBREVIATIONS.get(ch, [])]
    if core in _ABBREVIATIONS:
        return list(_ABBREVIATIONS[core])
    if core[0] in _CURRENCIES and (money := _money_to_words(core[0], core[1:])):
        return money
    if core.endswith("%") and (num := _numeric_to_words(core[:-1])):
        return [*num, "percent"]
    if (num := _numeric_to_words(core)) is not None:
        return num
    if _EMAIL_LIKE.fullmatch(core):
        spoken = core.replace("@", " at ").replace(".", " dot ")
        return _plain_words(spoken)
    if "-" in core and all(_CARDINAL.fullmatch(p) or p.isalpha() for p in core.split("-") if p):
        # "42-line", "covid-19": read each part on its own.
        return [w for part in core.split("-") if part for w in spoken_words(part)]
    return _plain_words(core)


def merge_digit_tokens(tokens: list[str]) -> list[list[int]]:
    """Group indexes of consecutive tokens that together write one digit sequence.

    Whisper may emit "555" and "-1212" (or "4111" "1111" ...) as separate words; read together they
    are a phone or card number said digit by digit, read apart "555" would become "five hundred
    fifty five". A run of two or more bare digit tokens, or a digit token followed by a glued
    "-1212"/".1212" piece, is one group. A trailing comma or full stop ends a run.
    """
    groups: list[list[int]] = []
    for i, tok in enumerate(tokens):
        piece = tok.strip()
        prev = tokens[groups[-1][-1]].strip() if groups else ""
        prev_open = re.fullmatch(r"[-.]?\d+", prev) is not None
        glued = not tok.startswith(" ") and re.fullmatch(r"[-.]\d+[.,!?]?", piece) is not None
        spaced = re.fullmatch(r"\d+[.,!?]?", piece) is not None and re.fullmatch(r"\d+", prev)
        if groups and prev_open and (glued or spaced):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def clock_words(hours: int, minutes: int) -> list[str]:
    """A time of day as it is said: 7:30 -> seven thirty, 9:05 -> nine oh five, 7:00 -> seven."""
    if minutes == 0:
        return number_to_words(hours)
    if minutes < 10:
        return [*number_to_words(hours), "oh", ONES_WORDS[minutes]]
    return number_to_words(hours) + number_to_words(minutes)


def _bare(token: str) -> str:
    return token.strip().lower().strip(_EDGE_PUNCT)


def _clock_time(written: str, before: str, after: str) -> list[str] | None:
    """``written`` read as a time of day when its form and its neighbours say it is one.

    Whisper writes "seven thirty" as "7.30", "7 30" or "730". "H:MM" is always a time; "H.MM",
    "H MM" and "HMM" only after a time cue ("at 615", "for 7.30") or before a time word ("730
    tomorrow"), and never before a unit ("for 730 dollars"); "700" needs "am"/"pm"/"o'clock" after
    it. Anything else keeps its number reading ("four hundred and twelve", "three point five").
    """
    if m := re.fullmatch(r"(\d{1,2}):(\d{2})", written):
        hours, minutes = int(m.group(1)), int(m.group(2))
        return clock_words(hours, minutes) if hours <= 24 and minutes < 60 else None
    cued = (before in _TIME_CUES or after in _TIME_WORDS) and after not in _QUANTITY_UNITS
    if not cued:
        return None
    if m := re.fullmatch(r"(\d{1,2})[. ](\d{2})", written):
        hours, minutes = int(m.group(1)), int(m.group(2))
    elif re.fullmatch(r"[1-9]\d{2}|1[0-2]\d{2}", written):
        hours, minutes = divmod(int(written), 100)
        if minutes == 0 and after not in _CLOCK_SUFFIXES:
            return None
    else:
        return None
    return clock_words(hours, minutes) if 1 <= hours <= 23 and minutes < 60 else None


def group_spoken_words(tokens: list[str], group: list[int]) -> list[str]:
    """Spoken words of one group from `merge_digit_tokens` (tokens keep their leading spaces).

    The words on either side decide whether digits are a time of day (`_clock_time`)."""
    before = _bare(tokens[group[0] - 1]) if group[0] > 0 else ""
    after = _bare(tokens[group[-1] + 1]) if group[-1] + 1 < len(tokens) else ""
    joined = "".join(tokens[i] for i in group).strip().rstrip(".,!?")
    if (clock := _clock_time(joined, before, after)) is not None:
        return clock
    if len(group) == 1:
        return spoken_words(tokens[group[0]])
    if re.fullmatch(r"\d+\.\d+", joined):  # "3" ".5" glued: a decimal, not digits
        return spoken_words(joined)
    return digits_to_words(joined)


def split_span(words: list[str], start: float, end: float) -> list[tuple[str, float, float]]:
    """Split [start, end] evenly among `words`."""
    if not words:
        return []
    step = (end - start) / len(words)
    return [
        (w, start + k * step, end if k == len(words) - 1 else start + (k + 1) * step)
        for k, w in enumerate(words)
    ]


def normalize_text(text: str) -> str:
    """Spoken form of a whole text: lower-case, no punctuation, numbers as words."""
    tokens = text.split()
    words: list[str] = []
    spaced = [" " + t for t in tokens]
    for group in merge_digit_tokens(spaced):
        words += group_spoken_words(spaced, group)
    return " ".join(words)

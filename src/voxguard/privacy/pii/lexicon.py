"""Word lists behind the spoken-form recognizers.

Two optional installed resources widen the lists and are loaded once, offline:
- the ``names`` package (US Census 1990 first names and surnames, public domain data);
- the WordNet lemma index shipped inside the spaCy model's lemmatizer, used as an English
  vocabulary to tell a common word ("will", "mark") from a name-only word ("claire").
Without them the recognizers fall back to the small built-in lists below.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


def wordset(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


WAKE_WORDS = wordset(
    """alexa siri olly google cortana bixby computer echo assistant jarvis hey ok okay"""
)
RELATIONS = wordset(
    """mom mum mommy mummy mother mama dad daddy father papa parents parent wife husband spouse
    partner son daughter kids kid children child baby brother sister bro sis sibling siblings
    grandma grandpa granny grandmother grandfather nan nana aunt auntie uncle cousin nephew
    niece friend friends boyfriend girlfriend fiance fiancee boss manager colleague colleagues
    coworker coworkers team teacher doctor dentist neighbor neighbour landlord family everyone
    everybody someone somebody anyone anybody nobody people guys"""
)
# Frequent words of assistant requests that never are a person's name here.
DOMAIN_WORDS = wordset(
    """alarm alarms timer timers reminder reminders music song songs playlist playlists album radio
    podcast podcasts audiobook news weather forecast lights light lamp volume temperature
    thermostat calendar meeting meetings appointment event events email emails mail inbox
    message messages text texts contact contacts list lists note notes shopping grocery
    groceries recipe recipes joke jokes game games movie movies show shows episode traffic uber
    lyft taxi cab train flight flights bus ticket tickets hotel restaurant pizza coffee spotify
    pandora netflix youtube facebook twitter instagram whatsapp skype amazon hulu wifi bluetooth
    tv television speaker phone number cell mobile home office work school today tonight
    tomorrow yesterday morning afternoon evening night week weekend month year monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august
    september october november december am pm oclock o'clock please thanks thank hello hi bye
    yes no yeah nope okay alright sure play pause stop resume skip next previous repeat shuffle
    louder quieter turn set add remove delete cancel check send read reply forward call text
    ring dial tell ask remind book order find search open close what's whats it's its i'm im
    don't dont can't cant won't wont let's lets"""
)
# Cue words before a person's name: a name right after one of these is taken even when the
# word is also an ordinary English word ("call will", "text mark").
STRONG_NAME_CUES = wordset(
    """call text message email e-mail mail ring phone dial tell ask remind invite meet contact ping
    notify inform thank wish facetime skype whatsapp sms msg telephone"""
)
# Weak cues only take a word that is not an English word at all, and only in a request that
# is about communicating or meeting ("send an email to enalen", not "go to walmart").
WEAK_NAME_CUES = wordset("to from with for and cc bcc about add")
COMM_VERBS = wordset(
    """call text message email e-mail emails mail ring phone dial tell ask remind invite meet
    meeting contact send reply write forward ping notify inform sms msg chat talk speak visit
    schedule appointment lunch dinner birthday wish congratulate share contacts"""
)
NAME_INTRO_PHRASES: tuple[tuple[str, ...], ...] = (
    ("my", "name", "is"),
    ("my", "name's"),
    ("name", "is"),
    ("this", "is"),
    ("i", "am"),
    ("i'm",),
    ("im",),
    ("named",),
    ("called",),
    ("dear",),
    ("hi",),
    ("hello",),
    ("it's",),
    ("its",),
    ("speaking", "with"),
)
# Brands and services people ask about; unknown to WordNet, so they would look like names.
BRANDS = wordset(
    """comcast ebay amazon google apple microsoft netflix spotify uber lyft walmart target
    starbucks mcdonalds verizon att tmobile sprint paypal venmo twitter tweet facebook instagram
    snapchat tiktok linkedin youtube gmail yahoo hotmail outlook wemo hue nest roomba sonos
    fitbit kindle audible pandora hulu disney espn cnn bbc nbc abc cbs fox hbo imdb wikipedia
    reddit whatsapp skype zoom slack dropbox ikea costco kroger safeway tesco sainsbury asda
    aldi lidl dominos domino kfc subway chipotle doordash grubhub deliveroo airbnb expedia
    tripadvisor yelp shazam alexa's siri's iphone ipad android samsung sony lg philips bose nike
    adidas fedex ups usps dhl amtrak eurostar ryanair easyjet"""
)
# Given names that are mostly ordinary nouns in speech ("send it to guy", "in june").
COMMON_NOUN_NAMES = wordset(
    """guy june april may august faith hope joy grace holly ivy iris daisy lily rose violet ruby
    pearl amber crystal dawn eve summer autumn winter sky rain river storm star angel baby lady
    honey sunny cherry candy ginger olive jade jean jewel destiny harmony melody heaven
    christian king prince duke earl major miles rich frank will mark bill art jack rob pat sue
    don ray gene lane chase chance grant page price carol bob bud buck cliff dean drew gil glen
    hunter mason taylor tanner cash wade wolf fox song long young love lee china india paris
    london sydney florence georgia virginia carolina dakota austin houston jordan chad israel
    kenya asia africa america tuesday friday monday sunday justice liberty trinity serenity
    charity mercy patience constance prudence temperance verity unity marina bay reed ford wood
    stone hill dale glenn wes wood sterling silver golden goldie penny nickel pepper sage basil
    rosemary ash aspen willow hazel heather fern clay dusty rusty sandy misty stormy brook
    brooke shelby"""
)
# Places that double as given names in the census lists ("florida", "milan", "france").
PLACES = wordset(
    """florida georgia virginia carolina dakota france milan paris london sydney austin houston
    dallas denver phoenix orlando chester jackson lincoln madison cleveland charlotte savannah
    raleigh tyler aurora florence victoria india china kenya jordan chad israel angeles vegas
    america europe africa asia berlin rome vienna geneva venice naples lyon sofia lima santiago
    regina alberta augusta helena eugene marion camden troy salem cairo delhi"""
)
TITLES = wordset("mr mrs ms miss dr doctor prof professor sir madam mister missus")
DETERMINERS = wordset("the a an my your his her our their this that these those")
# Lone letters that are English words ("a" story, "i" said), not only a name's initial.
LETTER_WORDS = wordset("a i")

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
STREET_SUFFIXES = wordset(
    """street st avenue ave road rd lane ln drive dr boulevard blvd court ct place pl way terrace
    crescent close circle parkway pkwy highway hwy square sq row grove gardens walk trail alley
    mews pike plaza expressway freeway broadway hill park"""
)
# Street words said before the street's name ("via roma twelve", "rue de la paix", "calle
# mayor five"), in languages that put the house number after the name or before the street word.
# Not "avenue" or "boulevard": English says those after the name.
PREFIX_STREET_WORDS = wordset(
    """via viale piazza piazzale piazzetta vicolo corso largo strada calle avenida paseo camino
    carrera carretera rua travessa praca estrada alameda rue chemin impasse quai allee ulica
    aleja jalan"""
)
# "park" and "hill" are weak suffixes: only with a house number in front.
WEAK_STREET_SUFFIXES = wordset("hill park close walk way place row square")
DIRECTIONS = wordset(
    """north south east west n s e w ne nw se sw northeast northwest southeast southwest"""
)
UNIT_WORDS = wordset("apartment apt suite unit flat floor room building bldg number no")
# Words that cannot be part of a street name ("a 20 minute drive", "3 in a row").
ADDRESS_STOP = wordset(
    """minute minutes hour hours second seconds mile miles kilometer kilometers km meter meters
    feet foot day days week weeks month months year years time times am pm percent degrees
    dollars dollar pounds euros people persons songs times more less at in on to of for a an the
    and or by from with my your his her our their this that these those is are was be it"""
)
US_STATES = wordset(
    """alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
    hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
    michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon
    pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming"""
)
US_STATES_MULTI: tuple[tuple[str, ...], ...] = (
    ("new", "hampshire"),
    ("new", "jersey"),
    ("new", "mexico"),
    ("new", "york"),
    ("north", "carolina"),
    ("north", "dakota"),
    ("south", "carolina"),
    ("south", "dakota"),
    ("rhode", "island"),
    ("west", "virginia"),
    ("district", "of", "columbia"),
)
IBAN_LENGTHS = {
    "al": 28,
    "ad": 24,
    "at": 20,
    "az": 28,
    "bh": 22,
    "be": 16,
    "ba": 20,
    "br": 29,
    "bg": 22,
    "cr": 22,
    "hr": 21,
    "cy": 28,
    "cz": 24,
    "dk": 18,
    "do": 28,
    "ee": 20,
    "fo": 18,
    "fi": 18,
    "fr": 27,
    "ge": 22,
    "de": 22,
    "gi": 23,
    "gr": 27,
    "gl": 18,
    "gt": 28,
    "hu": 28,
    "is": 26,
    "ie": 22,
    "il": 23,
    "it": 27,
    "jo": 30,
    "kz": 20,
    "xk": 20,
    "kw": 30,
    "lv": 21,
    "lb": 28,
    "li": 21,
    "lt": 20,
    "lu": 20,
    "mk": 19,
    "mt": 31,
    "mr": 27,
    "mu": 30,
    "md": 24,
    "mc": 27,
    "me": 22,
    "nl": 18,
    "no": 15,
    "pk": 24,
    "ps": 29,
    "pl": 28,
    "pt": 25,
    "qa": 29,
    "ro": 24,
    "sm": 27,
    "sa": 24,
    "rs": 22,
    "sk": 24,
    "si": 19,
    "es": 24,
    "se": 24,
    "ch": 21,
    "tn": 24,
    "tr": 26,
    "ae": 23,
    "gb": 22,
    "vg": 24,
    "ua": 29,
    "lc": 32,
    "sc": 31,
    "st": 25,
    "tl": 23,
}
# Common given names from outside the US census lists, so the gazetteer is not US-only.
EXTRA_FIRST_NAMES = wordset(
    """aarav aditya ahmed ajay akash ali amit amir anil anjali arjun ashok deepak divya fatima
    ganesh hamza hassan imran kavya krishna kumar lakshmi mahesh manoj mohammed mohammad
    muhammad nikhil omar pooja priya rahul rajesh ramesh ravi rohan sachin sanjay shreya sunil
    suresh vijay vikram yusuf zara zainab aisha amina chidi emeka ngozi olu kwame kofi ama wei
    li ming jian hui xin yan hiroshi yuki haruto sakura kenji minh linh jose juan luis carlos
    javier miguel alejandro sofia lucia mateo diego pablo giulia luca marco francesco pierre
    jean louis chloe lea hugo lukas jonas finn mia emma leon noah liam olivia ava isla freya
    siobhan niamh aoife sean oisin dmitri ivan olga natasha sergei anya lars sven ingrid astrid
    bjorn"""
)


@dataclass
class Lexicon:
    first_names: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()
    # English vocabulary by part of speech (WordNet lemma index); empty without the model.
    nouns: frozenset[str] = frozenset()
    other_pos: frozenset[str] = frozenset()  # verbs, adjectives, adverbs
    stop_words: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Per-word answers never change; recognizers ask the same words again and again.
        for name in (
            "is_english",
            "is_non_noun_word",
            "name_dominant",
            "unknown_word",
            "rare_surname",
            "not_everyday",
        ):
            setattr(self, name, functools.lru_cache(maxsize=1 << 16)(getattr(self, name)))

    @property
    def has_vocab(self) -> bool:
        return bool(self.nouns)

    def lemma_forms(self, word: str) -> list[str]:
        """The word and crude de-inflections, enough to find "emails" under "email"."""
        forms = [word]
        for suf, rep in (
            ("'s", ""),
            ("ies", "y"),
            ("es", ""),
            ("s", ""),
            ("ed", ""),
            ("ed", "e"),
            ("ing", ""),
            ("ing", "e"),
            ("er", ""),
            ("est", ""),
            ("est", "e"),
            ("iest", "y"),
            ("ly", ""),
        ):
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                forms.append(word[: -len(suf)] + rep)
        return forms

    def is_english(self, word: str) -> bool:
        """Known English word (any part of speech) or a built-in function/domain word."""
        if word in self.stop_words or word in DOMAIN_WORDS or word in RELATIONS or (word in BRANDS):
            return True
        return any(f in self.nouns or f in self.other_pos for f in self.lemma_forms(word))

    def name_dominant(self, word: str) -> bool:
        """A given name that is not an everyday word: "claire", "raju", also "john", "david"
        (WordNet lists those only as nouns, for the famous bearers)."""
        return (
            word in self.first_names
            and word not in COMMON_NOUN_NAMES
            and word not in DOMAIN_WORDS
            and word not in BRANDS
            and not self.is_non_noun_word(word)
        )

    def in_name_lists(self, word: str) -> bool:
        """A given name or a surname of the census lists."""
        return word in self.first_names or word in self.surnames

    def unknown_word(self, word: str) -> bool:
        """Not an English word at all (needs the model's vocabulary to say so)."""
        return self.has_vocab and not self.is_english(word)

    def not_everyday(self, word: str) -> bool:
        """A word a request loses little by when it is bleeped: no English word at all ("raju",
        "morn") or a given name before anything else ("claire", "john"), unlike "lights" or
        "drive", which a reviewer needs to understand the request."""
        return self.unknown_word(word) or self.name_dominant(word)

    def rare_surname(self, word: str) -> bool:
        """A census surname that is not an English word ("hanks" is, "lynch" is not...)."""
        return word in self.surnames and (self.unknown_word(word) or self.name_dominant(word))

    def is_non_noun_word(self, word: str) -> bool:
        """A verb/adjective/adverb or function word: "will", "mark", "grace" count here."""
        if word in self.stop_words or word in DOMAIN_WORDS:
            return True
        return any(f in self.other_pos for f in self.lemma_forms(word))


def _census_names() -> tuple[frozenset[str], frozenset[str]]:
    try:
        import names as census_names  # the `names` package ships the census lists
    except ImportError:
        log.warning("package 'names' not installed: person-name gazetteer limited to built-ins")
        return EXTRA_FIRST_NAMES, frozenset()
    base = os.path.dirname(census_names.__file__)

    def read(fname: str, limit: int | None = None) -> set[str]:
        out: set[str] = set()
        try:
            with open(os.path.join(base, fname), encoding="ascii", errors="ignore") as fh:
                for i, line in enumerate(fh):
                    if limit is not None and i >= limit:
                        break
                    if line.strip():
                        out.add(line.split()[0].lower())
        except OSError as exc:
            log.warning("cannot read census name list %s: %s", fname, exc)
        return out

    first = read("dist.male.first") | read("dist.female.first") | set(EXTRA_FIRST_NAMES)
    # The surname list is long-tailed (88k); the rarest entries are noise and common words.
    last = read("dist.all.last", limit=40000)
    return frozenset(first), frozenset(last)


def _wordnet_vocab(nlp: object | None) -> tuple[frozenset[str], frozenset[str]]:
    if nlp is None:
        return frozenset(), frozenset()
    try:
        tables = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
        index = tables.get_table("lemma_index")
        nouns = frozenset(index.get("noun", []))
        other: set[str] = set()
        for pos in ("verb", "adj", "adv"):
            other.update(index.get(pos, []))
        exc = tables.get_table("lemma_exc")
        for pos in ("verb", "adj", "adv"):
            other.update((exc.get(pos) or {}).keys())
        return nouns, frozenset(other)
    except Exception as exc:  # a model without lookup tables still works, with less vocabulary
        log.warning("spaCy model has no lemma index (%s): vocabulary checks reduced", exc)
        return frozenset(), frozenset()


def build_lexicon(nlp: object | None) -> Lexicon:
    from spacy.lang.en.stop_words import STOP_WORDS

    first, last = _census_names()
    nouns, other = _wordnet_vocab(nlp)
    stop = frozenset(STOP_WORDS) | wordset("ok okay um uh er ah hmm yeah gonna wanna gotta")
    first = frozenset(f for f in first if f not in stop and len(f) > 1)
    return Lexicon(first, frozenset(s for s in last if s not in stop), nouns, other, stop)

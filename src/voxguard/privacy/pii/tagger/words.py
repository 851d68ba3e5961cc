"""Word classes the tagger's features look up (folded to ASCII, lower case).

Hand-written from general knowledge of how addresses are written around the world, not from any
evaluation data: the tagger learns how much each class counts from its training corpus, and a
class (a street word, a country) carries over to languages whose words it never saw in training.
"""

from __future__ import annotations

from voxguard.asr.number_words import CARDINAL_WORDS, DIGIT_WORDS
from voxguard.privacy.pii.lexicon import Lexicon, wordset

# Words that name a kind of street, in the languages of Europe, the Americas and beyond.
STREET_WORDS = wordset(
    """street st avenue ave road rd lane ln drive boulevard blvd court ct place way terrace
    crescent close circle parkway highway square row grove gardens walk trail alley mews pike
    plaza expressway freeway broadway hill park green ports port stravenue mount fort view
    ridge heights oval inlet wells forest estate village villages junction crossing station
    rapids shoal shore springs summit tunnel turnpike underpass union valley viaduct vista
    strasse str gasse weg allee platz ring damm ufer chaussee steig pfad markt gurtel
    rue chemin impasse quai route cours passage voie sentier rond point
    via viale piazza piazzale piazzetta vicolo corso largo contrada strada borgo rotonda salita
    calle avenida paseo camino carrera carretera ronda travesia glorieta pasaje callejon cuesta
    acceso vial urbanizacion diagonal transversal circunvalacion calzada prolongacion privada
    cerrada andador retorno circuito periferico eje
    rua travessa praca estrada alameda rodovia vereda quadra setor ladeira beco viela
    ulica ul aleja al plac osiedle rondo skwer
    straat laan plein gracht kade singel dreef steeg hof pad dijk
    gatan gata vagen gränd grand torget stig backe
    vej gade alle plads vaenge
    vei veien gate gaten
    katu tie kuja polku kaari raitti bulevardi kaarre rinne
    utca ut ter korut sor koz
    ulice namesti trida nabrezi
    bulevardul calea aleea soseaua piata intrarea splaiul
    cesta trg ulica
    iela prospekts
    gatve prospektas
    tanav puiestee
    jalan jl gang lorong
    duong pho hem khom
    sokak sokagi cadde caddesi mahallesi bulvari
    vegur gotu braut
    barabara mtaa
    isitaladi"""
)
# The street suffixes of the US postal standard (USPS Publication 28, appendix C1), the kind of
# street said after its name ("two twenty five vaht well", "fasasi plaza"), with their plurals.
US_STREET_SUFFIXES = wordset(
    """alley anex arcade avenue bayou beach bend bluff bluffs bottom boulevard branch bridge
    brook brooks burg burgs bypass camp canyon cape causeway center centers circle circles cliff
    cliffs club common commons corner corners course court courts cove coves creek crescent crest
    crossing crossroad crossroads curve dale dam divide drive drives estate estates expressway
    extension extensions fall falls ferry field fields flat flats ford fords forest forge forges
    fork forks fort freeway garden gardens gateway glen glens green greens grove groves harbor
    harbors haven heights highway hill hills hollow inlet island islands isle junction junctions
    key keys knoll knolls lake lakes land landing lane light lights loaf lock locks lodge loop
    mall manor manors meadow meadows mews mill mills mission motorway mount mountain mountains
    neck orchard oval overpass park parks parkway parkways pass passage path pike pine pines
    place plain plains plaza point points port ports prairie radial ramp ranch rapid rapids rest
    ridge ridges river road roads route row rue run shoal shoals shore shores skyway spring
    springs spur spurs square squares station stravenue stream street streets summit terrace
    throughway trace track trafficway trail trailer tunnel turnpike underpass union unions
    valley valleys viaduct view views village villages ville vista walk walks wall way ways well
    wells"""
)
# Street words that languages write joined to the street's name ("sapilastie", "conradiallee",
# "rikstraat", "aspstigen"): a long word ending in one is likely a street whose name no list has.
STREET_SUFFIXES = tuple(
    sorted(
        wordset(
            """strasse gasse weg allee platz ring damm ufer steig pfad markt chaussee
            straat laan plein gracht kade singel dreef steeg hof pad dijk
            gatan gata vagen grand torget stigen backe vej gade alle plads vaenge vei veien gaten
            katu tie kuja polku kaari raitti bulevardi kaarre rinne tanav puiestee vegur gotu
            braut utca"""
        )
    )
)
# Words that start a flat, floor or building inside an address.
UNIT_WORDS = wordset(
    """apartment apt flat suite unit floor room building bldg block tower level
    apartamento piso puerta depto departamento oficina interior int casa lote manzana
    appartamento piano interno scala
    wohnung etage stock stiege tur
    appartement etage batiment escalier porte
    mieszkanie lokal
    lakas emelet ajto
    studio"""
)
# Words an e-mail is said with.
EMAIL_JOINERS = wordset("dot underscore dash hyphen period point at")
# Top-level domains people say after "dot" (generic and country codes).
TLDS = wordset(
    """com net org edu gov mil int info biz io co me tv app dev ai uk de fr it es hu pl nl be at
    ch se no dk fi is ie pt br ar mx cl co pe ve ec ro sk cz si hr rs ba bg gr tr ru ua by lt
    lv ee in pk bd lk np cn jp kr tw hk sg my id th vn ph au nz za ng ke gh tz ug eg ma dz tn
    il ae sa qa ca us eu online site email mail"""
)
# Mail providers and the placeholder domains of examples.
MAIL_PROVIDERS = wordset(
    """gmail googlemail yahoo ymail hotmail outlook live msn icloud me mac aol proton protonmail
    gmx web mail yandex zoho example fastmail tutanota freemail citromail indamail wp onet
    interia o2 seznam centrum atlas libero virgilio alice tiscali tin orange laposte free sfr
    wanadoo bluewin telenet skynet ziggo kpnmail xs4all telia luukku suomi24 kolumbus post
    abv rediffmail xtra bigpond optusnet terra uol bol ig sapo volja siol romtelecom"""
)
TITLES = wordset(
    """mr mrs ms miss mx dr doctor prof professor sir madam mister missus miz dame lord lady
    senor senora senorita don dona signor signora signorina dottore dottoressa herr frau
    monsieur madame mademoiselle pan pani herra rouva fru heer mevrouw"""
)
# Countries (and the words of their names) an address may end with.
COUNTRY_WORDS = wordset(
    """afghanistan albania algeria andorra angola argentina armenia australia austria
    azerbaijan bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia
    bosnia herzegovina botswana brazil brunei bulgaria burkina faso burundi cambodia cameroon
    canada chad chile china colombia comoros congo costa rica croatia cuba cyprus czechia czech
    republic denmark djibouti dominica dominican ecuador egypt salvador england estonia
    eswatini ethiopia fiji finland france gabon gambia georgia germany ghana greece grenada
    guatemala guinea guyana haiti honduras hungary iceland india indonesia iran iraq ireland
    israel italy jamaica japan jordan kazakhstan kenya kiribati korea kosovo kuwait kyrgyzstan
    laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar
    malawi malaysia maldives mali malta mauritania mauritius mexico moldova monaco mongolia
    montenegro morocco mozambique myanmar namibia nauru nepal netherlands holland zealand
    nicaragua niger nigeria macedonia norway oman pakistan palau palestine panama papua
    paraguay peru philippines poland portugal qatar romania russia rwanda samoa marino saudi
    arabia scotland senegal serbia seychelles sierra leone singapore slovakia slovenia solomon
    somalia africa spain lanka sudan suriname sweden switzerland syria taiwan tajikistan
    tanzania thailand togo tonga trinidad tobago tunisia turkey turkmenistan tuvalu uganda
    ukraine emirates kingdom states america uruguay uzbekistan vanuatu vatican venezuela
    vietnam viet nam wales yemen zambia zimbabwe usa uk"""
)
# Cue words of the request right before a value: what the value probably is.
PHONE_CUES = wordset(
    """call phone dial cell mobile number text ring contact reach fax telephone landline
    extension whatsapp sms tel"""
)
CARD_CUES = wordset("card visa mastercard amex discover credit debit maestro charge pay")
ADDRESS_CUES = wordset(
    """live lives living address deliver delivery ship send navigate directions moved move
    staying located at to from near visit office home house apartment billing"""
)


def is_number_word(word: str) -> bool:
    """A number said as a word ("seven", "forty") or written in digits."""
    return word in CARDINAL_WORDS or word in DIGIT_WORDS or word.isdigit()


def joined_street_word(word: str, lexicon: Lexicon) -> bool:
    """A long word ending in a street word that is neither one itself nor English
    ("sapilastie", "conradiallee"; not "during"): likely a street whose name no list has."""
    return (
        len(word) >= 6
        and word not in STREET_WORDS
        and word.endswith(STREET_SUFFIXES)
        and not (lexicon.has_vocab and lexicon.is_english(word))
    )


def is_street_word(word: str, lexicon: Lexicon) -> bool:
    """A word naming a kind of street, alone ("utca", "largo") or joined ("sapilastie")."""
    return word in STREET_WORDS or joined_street_word(word, lexicon)

"""French typography for names and dates put into sentences (emails, subjects).

A translated sentence cannot know whether the company or person it names starts with a vowel: "de"
+ "Atelier Durand SAS" must read "d’Atelier Durand SAS", and the first day of a month is written
"1er". The pure functions here do that on French text; `in_french` tells callers whether to.

h: treated as mute ("d’Hélène", "l’Hôtel Martin") except before a short list of words with an
aspirated h ("de Hauts-de-Seine Habitat", "de Hollande"), kept small on purpose: a name the list
misses is elided, which reads as a small slip, never as nonsense.
"""

import re
import unicodedata

from django.conf import settings
from django.utils.translation import get_language

APOSTROPHE = "’"
# the words that lose their vowel, with what they become (capitalised forms too)
ELIDED = {"de": "d", "le": "l", "la": "l", "que": "qu"}
VOWELS = frozenset("aeiou")
# opening punctuation skipped to find the sound a name starts with: « Atelier » is "d’« Atelier »"
_OPENING = "«‹“‘\"'([ \u00a0\u202f"
# first words with an aspirated h: no elision before them (accents removed, lower case)
H_ASPIRE = frozenset(
    {
        "hache",
        "hachette",
        "haie",
        "hall",
        "halle",
        "halles",
        "hameau",
        "hamburger",
        "hangar",
        "harley",
        "haricot",
        "harpe",
        "hasard",
        "haut",
        "haute",
        "hautes",
        "hauts",
        "havre",
        "heineken",
        "herisson",
        "heros",
        "hetre",
        "hewlett",
        "hibou",
        "hollande",
        "homard",
        "honda",
        "hongrie",
        "honte",
        "houblon",
        "huit",
        "hutte",
        "hyundai",
    }
)
_FIRST_WORD = re.compile(r"[^\W\d_]+")
FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# a lone 1 (not 11, 21, 1,5) followed by a month name: "le 1 mars 2027"
_MONTH = "|".join(FRENCH_MONTHS)
_FIRST_DAY = re.compile(rf"(?<![\d,.])\b1(?=[ \u00a0\u202f](?:{_MONTH})\b)")


def _base_letters(text: str) -> str:
    """Lower case without accents: "Élodie" → "elodie", "Œuvre" → "oeuvre"."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def starts_with_vowel_sound(name: str) -> bool:
    """Whether French elides before `name`: a vowel (accented or not), a mute h, or a y followed
    by a consonant ("Yves"). Digits, symbols and an empty name never elide."""
    match = _FIRST_WORD.match(name.lstrip(_OPENING))
    if match is None:
        return False
    word = _base_letters(match.group(0))
    if word[0] in VOWELS:
        return True
    if word[0] == "h":
        return word not in H_ASPIRE
    if word[0] == "y":
        return len(word) > 1 and word[1] not in VOWELS
    return False


def elide(word: str, name: str) -> str:
    """`word` then `name`, elided as French writes it: ("de", "Atelier Durand SAS") → "d’Atelier
    Durand SAS", ("de", "Durand SA") → "de Durand SA". Only de, le, la, que are elided."""
    elided = ELIDED.get(word.lower())
    if elided is None or not starts_with_vowel_sound(name):
        return f"{word} {name}"
    if word[0].isupper():
        elided = elided.capitalize()
    return f"{elided}{APOSTROPHE}{name}"


def first_day_ordinal(text: str) -> str:
    """The first day of a month as French writes it: "le 1 mars 2027" → "le 1er mars 2027";
    every other day unchanged."""
    return _FIRST_DAY.sub("1er", text)


def in_french() -> bool:
    """Whether the text being written now is French (the active language, else the default)."""
    language = get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0].lower() == "fr"


def french_elide(word: str, name: str) -> str:
    """In French, `word` then `name` elided as due; in another language `name` alone, since the
    translated sentence carries its own words ("l’espace %(of_company)s" / "the space of …")."""
    return elide(word, name) if in_french() else name


def french_first_day(text: str) -> str:
    """In French, "1er" for the first day of a month; another language's text unchanged."""
    return first_day_ordinal(text) if in_french() else text

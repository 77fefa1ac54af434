"""core.text: French elision before names and "1er" for the first day of a month."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.text import (
    FRENCH_MONTHS,
    elide,
    first_day_ordinal,
    french_elide,
    french_first_day,
    starts_with_vowel_sound,
)

# what may follow the first letter of a name
rest_of_name = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40
)
VOWELS = "aeiouAEIOUàâäéèêëîïôöùûüÀÂÄÉÈÊËÎÏÔÖÙÛÜŒœÆæ"
CONSONANTS = "bcdfgjklmnpqrstvwxzBCDFGJKLMNPQRSTVWXZçÇ"


@pytest.mark.parametrize(
    ("word", "name", "expected"),
    [
        ("de", "Atelier Durand SAS", "d’Atelier Durand SAS"),
        ("de", "Durand SA", "de Durand SA"),
        ("de", "Éditions Martin", "d’Éditions Martin"),
        ("de", "Âge d’Or SARL", "d’Âge d’Or SARL"),
        ("de", "Île Verte", "d’Île Verte"),
        ("de", "Œuvres sociales", "d’Œuvres sociales"),
        ("de", "Ulysse Conseil", "d’Ulysse Conseil"),
        ("le", "espace", "l’espace"),
        ("la", "entreprise", "l’entreprise"),
        ("que", "Élodie", "qu’Élodie"),
        ("Le", "Atelier", "L’Atelier"),
        ("De", "Atelier", "D’Atelier"),
        ("Que", "Hélène", "Qu’Hélène"),
    ],
)
def test_elides_before_a_vowel_accented_or_not(word, name, expected):
    assert elide(word, name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hélène Martin", "d’Hélène Martin"),  # mute h
        ("Hôtel du Port", "d’Hôtel du Port"),
        ("HSBC France", "d’HSBC France"),
        ("Hauts-de-Seine Habitat", "de Hauts-de-Seine Habitat"),  # aspirated h, on the list
        ("Hollande Import", "de Hollande Import"),
        ("Homard Bleu", "de Homard Bleu"),
        ("Yves Durand", "d’Yves Durand"),  # y before a consonant sounds like i
        ("Yann Le Goff", "de Yann Le Goff"),  # y before a vowel is a consonant
    ],
)
def test_h_is_mute_except_a_short_list_and_y_depends_on_what_follows(name, expected):
    assert elide("de", name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("3M France", "de 3M France"),
        ("1001 Fleurs", "de 1001 Fleurs"),
        ("« Atelier Durand »", "d’« Atelier Durand »"),
        ('"Atelier" SAS', 'd’"Atelier" SAS'),
        ("« Durand »", "de « Durand »"),
        ("(Ateliers réunis)", "d’(Ateliers réunis)"),
        ("", "de "),
        ("   ", "de    "),
        ("&Co", "de &Co"),
        ("L’Atelier", "de L’Atelier"),
    ],
)
def test_names_starting_with_digits_quotes_or_symbols(name, expected):
    assert elide("de", name) == expected


def test_only_de_le_la_que_are_elided():
    assert elide("à", "Atelier") == "à Atelier"
    assert elide("du", "Atelier") == "du Atelier"


@given(first=st.sampled_from(VOWELS), rest=rest_of_name)
def test_any_name_starting_with_a_vowel_is_elided(first, rest):
    assert elide("de", first + rest) == f"d’{first}{rest}"


@given(first=st.sampled_from(CONSONANTS + "0123456789"), rest=rest_of_name)
def test_any_name_starting_with_a_consonant_or_a_digit_is_not(first, rest):
    assert elide("de", first + rest) == f"de {first}{rest}"


@given(name=rest_of_name)
def test_elision_only_ever_replaces_the_word_before_the_name(name):
    assert elide("de", name) in (f"de {name}", f"d’{name}")
    assert starts_with_vowel_sound(name) == (elide("de", name) == f"d’{name}")


@pytest.mark.parametrize("month", FRENCH_MONTHS)
def test_the_first_day_of_every_month_is_1er(month):
    assert first_day_ordinal(f"expire le 1 {month} 2027 à 10:30.") == (
        f"expire le 1er {month} 2027 à 10:30."
    )


@given(day=st.integers(min_value=2, max_value=31), month=st.sampled_from(FRENCH_MONTHS))
def test_every_other_day_is_written_plain(day, month):
    text = f"le {day} {month} 2027"

    assert first_day_ordinal(text) == text


@pytest.mark.parametrize(
    "text",
    ["1 000 €", "1,1 mars", "11 mars", "le 1 du mois", "21 juin", "31 décembre", "1 March 2027"],
)
def test_a_1_that_is_not_a_first_day_is_left_alone(text):
    assert first_day_ordinal(text) == text


def test_a_first_day_after_a_no_break_space_or_at_the_start():
    assert first_day_ordinal("1\u00a0août") == "1er\u00a0août"
    assert first_day_ordinal("du 1 août au 1 septembre") == "du 1er août au 1er septembre"


@given(text=st.text(max_size=80))
def test_text_without_a_month_is_unchanged_and_the_ordinal_is_idempotent(text):
    once = first_day_ordinal(text)

    assert first_day_ordinal(once) == once
    if not any(month in text for month in FRENCH_MONTHS):
        assert once == text


def test_english_is_not_touched():
    with translation.override("en"):
        assert french_elide("de", "Atelier Durand SAS") == "Atelier Durand SAS"
        assert french_first_day("1 mars 2027") == "1 mars 2027"


def test_french_is():
    with translation.override("fr"):
        assert french_elide("de", "Atelier Durand SAS") == "d’Atelier Durand SAS"
        assert french_first_day("1 mars 2027") == "1er mars 2027"
